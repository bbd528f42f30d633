"""A real OpenID provider on 127.0.0.1 (oidc-provider, configured like ProConnect: provider.mjs),
and the app configured to sign in with it."""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey

from tests.conftest import free_port

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CLIENT_ID, CLIENT_SECRET = "cafeia-formation", "secret-du-client-de-test-cafeia"
APP = "http://cafeia.test"


class OpenIdProvider:
    def __init__(self, port: int, app_urls: list[str]):
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}/api/v2"
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": "cle-de-test", "use": "sig", "alg": "RS256"}
        )
        env = {
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "PORT": str(port),
            "JWKS": json.dumps({"keys": [self.key.as_dict(private=True)]}),
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REDIRECT_URIS": " ".join(f"{url}/proconnect/retour" for url in app_urls),
            "LOGOUT_URIS": " ".join(f"{url}/proconnect/deconnecte" for url in app_urls),
            "NODE_ENV": "test",
        }
        self.process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        said = []  # oidc-provider warns that Node 20 is not its supported LTS (it runs on it)
        while not (said and said[-1].startswith("prêt")):
            line = self.process.stdout.readline()
            if not line:
                self.stop()
                raise RuntimeError("oidc-provider n'a pas démarré : " + "".join(said))
            said.append(line)

    def config(self, base_url: str = APP) -> dict:
        return {
            "PROCONNECT_DISCOVERY_URL": f"{self.issuer}/.well-known/openid-configuration",
            "PROCONNECT_CLIENT_ID": CLIENT_ID,
            "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET,
            "PROCONNECT_REDIRECT_URI": f"{base_url}/proconnect/retour",
            "PROCONNECT_LOGOUT_URI": f"{base_url}/proconnect/deconnecte",
            "SIRET_LOOKUP_URL": "",
        }

    def add_account(self, login: str, **claims) -> dict:
        claims = {
            "given_name": "Marie",
            "usual_name": "Curie",
            "email": f"{login}@exemple.fr",
            "uid": "42",
            "siret": "13002526500013",
            "idp_id": "fi-de-test",
            **claims,
        }
        requests.post(
            f"{self.issuer}/test/accounts", json={"login": login, **claims}, timeout=5
        ).raise_for_status()
        return claims

    def faults(self, **faults) -> None:
        requests.post(f"{self.issuer}/test/faults", json=faults, timeout=5).raise_for_status()

    def sign_in(self, authorize_url: str, login: str, action: str = "login") -> str:
        """What a browser does at the provider: the callback URL it is sent back to."""
        browser = requests.Session()
        url, data = authorize_url, None
        for _ in range(10):
            response = (
                browser.post(url, data=data, allow_redirects=False, timeout=5)
                if data
                else browser.get(url, allow_redirects=False, timeout=5)
            )
            data = None
            if response.status_code in (301, 302, 303):
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
            elif "/interaction/" in url:
                url, data = f"{url}/{action}", {"login": login}
            else:
                raise AssertionError(f"{response.status_code} {response.text[:300]}")
        raise AssertionError("trop de redirections")

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


@pytest.fixture(scope="session")
def openid_provider():
    if not shutil.which("node") or not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("Node et oidc-provider (npm ci) sont requis : make test")
    provider = OpenIdProvider(free_port(), [APP])
    yield provider
    provider.stop()


@pytest.fixture
def provider(openid_provider):
    openid_provider.faults()
    yield openid_provider
    openid_provider.faults()


@pytest.fixture
def app_config(openid_provider):
    return openid_provider.config()


def query(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
