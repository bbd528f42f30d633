"""A real LTI 1.3 platform, built on `lti1p3platform` (PyPI), served on 127.0.0.1.

The library builds and signs the launch messages (resource link and deep linking), issues the
access tokens (checking the tool's signed client assertion against the tool's JWKS), checks
the bearer tokens of its AGS and NRPS services and validates the deep-linking response. What
it leaves abstract is storage: line items, scores and members live in dicts here.

LTI Dynamic Registration is not in the library: its two endpoints below follow the 1EdTech
specification's message shapes (openid-configuration, client registration).
"""

import secrets
import threading
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)
from werkzeug.serving import make_server

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


# What an LMS sends the browser: a form that posts the id_token to the tool at once.
LAUNCH_FORM = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Lancement</title></head>
<body><form method="post" action="{launch_url}">
<input type="hidden" name="id_token" value="{id_token}">
<input type="hidden" name="state" value="{state}">
<button type="submit">Lancer</button></form>
<script>document.forms[0].submit();</script></body></html>"""


class FlaskRequest(Request):
    def build_metadata(self, req):
        return {
            "method": req.method,
            "form_data": req.form.to_dict(),
            "get_data": req.args.to_dict(),
            "headers": req.headers,
            "content_type": req.content_type,
            "path": req.path,
            "json": req.get_json(silent=True),
        }


class Platform:
    """The platform and what it stores; `url` once started."""

    def __init__(self):
        self.private_key = new_private_key()
        self.client_id = "cafeia-" + secrets.token_hex(4)
        self.deployment_id = "deploiement-1"
        self.tool_launch_url = None  # set by the test: our launch endpoint
        self.tool_login_url = None
        self.tool_key_set = None  # our JWKS, as published on /lti/jwks.json
        self.launches: dict[str, dict] = {}  # lti_message_hint -> what to launch
        self.line_items: dict[str, dict] = {}
        self.scores: dict[str, list[dict]] = {}
        self.members: list[dict] = []
        self.deep_link_items: list[dict] = []
        self.registrations: list[dict] = []
        self.fail_scores = 0  # answer 503 to this many score posts (the outbox retries)
        self.app = self._build()

    # --- the library's configuration -------------------------------------------------------

    def config(self, deployment_id=None, client_id=None, private_key=None):
        platform = self

        class Conf(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **kwargs):
                pass

            def get_registration_by_params(self, **kwargs):
                registration = (
                    Registration()
                    .set_iss(platform.url)
                    .set_client_id(client_id or platform.client_id)
                    .set_deployment_id(deployment_id or platform.deployment_id)
                    .set_oidc_login_url(platform.tool_login_url)
                    .set_launch_url(platform.tool_launch_url)
                    .set_deeplink_launch_url(platform.tool_launch_url)
                    .set_platform_public_key(public_pem(platform.private_key))
                    .set_platform_private_key(private_key or platform.private_key)
                )
                if platform.tool_key_set:
                    registration.set_tool_key_set(platform.tool_key_set)
                return registration

        conf = Conf()
        conf.get_registration()
        return conf

    # --- a launch, prepared by the test ----------------------------------------------------

    def prepare(self, **launch) -> dict:
        """The login initiation the platform sends to the tool (its query string)."""
        hint = uuid.uuid4().hex
        self.launches[hint] = launch
        return {
            "iss": self.url,
            "login_hint": launch.get("sub", "user"),
            "target_link_uri": launch.get("target", self.tool_launch_url),
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": launch.get("deployment_id", self.deployment_id),
        }

    def _launch(self, req):
        launch = self.launches[req.args["lti_message_hint"]]
        conf = self.config(
            deployment_id=launch.get("deployment_id"),
            private_key=launch.get("signing_key"),
        )

        class Launch(LTIAdvantageMessageLaunchAbstract):
            def render_launch_form(self, launch_data, **kwargs):
                return launch_data

        message = Launch(FlaskRequest(req), conf)
        message.set_user_data(
            launch.get("sub", "user"),
            [INSTRUCTOR if launch.get("instructor") else LEARNER],
            full_name=launch.get("name", "Camille Martin"),
            email_address=launch.get("email"),
        )
        message.set_extra_claims(
            {"given_name": launch.get("given_name", "Camille"), "family_name": "Martin"}
        )
        message.set_resource_link_claim(launch.get("resource_link", "lien-1"))
        message.set_launch_context_claim(
            launch.get("context", "cours-42"),
            context_types=["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            context_title=launch.get("context_title", "Médiation numérique et IA"),
        )
        if launch.get("audience"):  # a token made for another tool
            message.set_extra_claims({"aud": launch["audience"]})
        if launch.get("custom"):
            message.set_custom_parameters_claim(launch["custom"])
        message.set_ags(f"{self.url}/lineitems")
        message.set_nrps(f"{self.url}/memberships")
        if launch.get("deep_link"):
            message.set_dl(f"{self.url}/deep_link_return", extra_data={"ticket": "t-1"})
        if "expiration" in launch:
            message.set_id_token_expiration(launch["expiration"])
        return message.lti_launch()

    # --- the HTTP side ---------------------------------------------------------------------

    def _build(self) -> Flask:
        app = Flask("plateforme-lti")
        platform = self

        @app.get("/jwks")
        def jwks():
            return jsonify(platform.config().get_jwks())

        @app.get("/auth")
        def auth():
            # The OIDC authorization endpoint: answers the tool's redirect with the launch
            # (a real LMS renders it as an auto-submitted form; the test posts it).
            launch = platform._launch(request)
            if "text/html" in request.headers.get("Accept", ""):  # a browser: the LMS's form
                return LAUNCH_FORM.format(**launch)
            return jsonify(launch)

        @app.post("/token")
        def token():
            try:
                return jsonify(platform.config().get_access_token(request.form.to_dict()))
            except Exception as error:  # the library raises on a bad assertion
                return jsonify({"error": "invalid_client", "detail": str(error)}), 401

        def answer(resp):
            body = resp.result if resp.result is not None else {"message": resp.message}
            return app.response_class(
                app.json.dumps(body), status=resp.code, mimetype=resp.media_type
            )

        def ags(line_item_id=None):
            url = f"{platform.url}/lineitems"
            return Ags(
                FlaskRequest(request),
                platform.config(),
                url,
                line_item_id and f"{url}/{line_item_id}",
                platform=platform,
            )

        @app.route("/lineitems", methods=["GET", "POST"])
        def lineitems():
            service = ags()
            handler = (
                service.handle_get_lineitems
                if request.method == "GET"
                else service.handle_create_lineitem
            )
            return answer(service.handle_resp(handler))

        @app.post("/lineitems/<item>/scores")
        def scores(item):
            if platform.fail_scores:
                platform.fail_scores -= 1
                return jsonify({"message": "indisponible"}), 503
            service = ags(item)
            return answer(service.handle_resp(service.handle_update_score, line_item_id=item))

        @app.get("/lineitems/<item>/results")
        def results(item):
            service = ags(item)
            return answer(service.handle_resp(service.handle_get_results, line_item_id=item))

        @app.get("/memberships")
        def memberships():
            service = Nrps(
                FlaskRequest(request),
                platform.config(),
                f"{platform.url}/memberships",
                platform=platform,
            )
            return answer(service.handle_resp(service.handle_get_members))

        @app.post("/deep_link_return")
        def deep_link_return():
            items = platform.config().validate_deeplinking_resp(request.form.to_dict())
            platform.deep_link_items.extend(items)
            return jsonify(items)

        # LTI Dynamic Registration (1EdTech): the platform's configuration and its endpoint.
        @app.get("/.well-known/openid-configuration")
        def openid_configuration():
            return jsonify(
                {
                    "issuer": platform.url,
                    "authorization_endpoint": f"{platform.url}/auth",
                    "token_endpoint": f"{platform.url}/token",
                    "jwks_uri": f"{platform.url}/jwks",
                    "registration_endpoint": f"{platform.url}/register",
                    "scopes_supported": ["openid"],
                    "response_types_supported": ["id_token"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "moodle",
                        "version": "4.5",
                        "messages_supported": [
                            {"type": "LtiResourceLinkRequest"},
                            {"type": "LtiDeepLinkingRequest"},
                        ],
                    },
                }
            )

        @app.post("/register")
        def register():
            if request.headers.get("Authorization") != "Bearer jeton-enregistrement":
                return jsonify({"error": "invalid_token"}), 401
            body = request.get_json()
            platform.registrations.append(body)
            return jsonify(
                {
                    **body,
                    "client_id": "dynamique-1",
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        **body["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                        "deployment_id": "deploiement-dynamique",
                    },
                }
            )

        return app

    def start(self):
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()


class Ags(AssignmentsGradesService):
    def __init__(self, *args, platform, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = platform

    def find_lineitems(
        self,
        page=1,
        limit=None,
        line_item_id=None,
        resource_link_id=None,
        resource_id=None,
        tag=None,
    ):
        items = [
            i
            for i in self.store.line_items.values()
            if not resource_id or i.get("resourceId") == resource_id
        ]
        return {"content": items, "has_next": False}

    def find_lineitem(self, line_item_id):
        return self.store.line_items[line_item_id]

    def create_lineitem(self, creation_data):
        item_id = uuid.uuid4().hex[:8]
        item = {**creation_data, "id": f"{self.store.url}/lineitems/{item_id}"}
        self.store.line_items[item_id] = item
        return item

    def update_lineitem(self, update_data):
        raise NotImplementedError

    def delete_lineitem(self, line_item_id):
        raise NotImplementedError

    def update_score(self, line_item_id, score):
        from lti1p3platform.score import UpdateScoreStatus

        self.store.scores.setdefault(line_item_id, []).append(score)
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None):
        latest = {}
        for score in self.store.scores.get(line_item_id, []):
            latest[score["userId"]] = score
        results = [
            {
                "userId": s["userId"],
                "resultScore": s["scoreGiven"],
                "resultMaximum": s["scoreMaximum"],
            }
            for s in latest.values()
        ]
        return {"content": results, "has_next": False}


class Nrps(NamesRoleProvisioningService):
    def __init__(self, *args, platform, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = platform

    def get_member_data_page(self, page=1, limit=None, role=None, since=None, **kwargs):
        return {"content": list(self.store.members), "has_next": False}

    def get_context_by_id(self):
        return Context(id="cours-42", label="MNIA", title="Médiation numérique et IA")
