"""Sign in with ProConnect, the State's OpenID Connect federation for professionals.

Off unless PROCONNECT_DISCOVERY_URL (or PROCONNECT_DOMAIN), PROCONNECT_CLIENT_ID and
PROCONNECT_CLIENT_SECRET are set: the routes then answer 404 and no button is shown.
It plugs into the platform only through lms.hooks: the button on the sign-in and sign-up pages,
its panel on « Mon compte », the RGPD export and erasure, and the end of the session at log-out.
"""

from flask import Blueprint, Flask

from lms import hooks

bp = Blueprint("proconnect", __name__, template_folder="templates", url_prefix="/proconnect")


def init_app(app: Flask) -> None:
    from . import client, models, views  # noqa: F401  (routes attach themselves to bp)

    app.register_blueprint(bp)
    client.register(app)
    app.after_request(client.allow_forms_to_provider)
    hooks.connect(app, hooks.SIGN_IN, views.sign_in_panel, template="proconnect/_button.html")
    hooks.connect(
        app, hooks.ACCOUNT, views.account_panel, template="proconnect/_account_panel.html"
    )
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        models.personal_data,
        section="proconnect",
        tables=("proconnect_identities",),
    )
    hooks.connect(app, hooks.ACCOUNT_ERASING, models.forget)
    hooks.connect(app, hooks.SIGNED_OUT, views.end_provider_session)
