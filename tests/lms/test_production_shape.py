"""The production shape of the README: gunicorn (deploy/gunicorn.conf.py) behind nginx
(deploy/nginx.conf), both started here on 127.0.0.1, and the faults they must absorb."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.production


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"rien n'écoute sur le port {port}")


def _environment(database_uri: str, **extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "clé-de-test",
        "COURSES_CONTENT": str(ROOT / "tests/courses/fixture_content"),
        "QUIZ_BANKS": str(ROOT / "tests/quizzes/fixture_banks"),
        "TRUSTED_PROXIES": "1",
        **extra,
    }


@pytest.fixture(scope="module")
def site(database_uri):
    """nginx on one port, gunicorn with two sync workers behind it; yields nginx's port."""
    # nginx's workers run as an unprivileged user: its folder must be readable by them.
    run = Path(tempfile.mkdtemp(prefix="cafeia-nginx-"))
    run.chmod(0o755)
    app_port, proxy_port = free_port(), free_port()
    environment = _environment(
        database_uri, GUNICORN_BIND=f"127.0.0.1:{app_port}", GUNICORN_WORKERS="2"
    )
    pages = run / "erreurs"
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "lms", "error-pages", str(pages)],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    config = (ROOT / "deploy/nginx.conf").read_text()
    for marker, value in {
        "@RUN@": str(run),
        "@PAGES@": str(pages),
        "@UPSTREAM@": f"127.0.0.1:{app_port}",
        "@LISTEN@": f"127.0.0.1:{proxy_port}",
    }.items():
        config = config.replace(marker, value)
    (run / "nginx.conf").write_text(config)
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = [NGINX, "-c", str(run / "nginx.conf"), "-p", str(run), "-e", str(run / "error.log")]
    subprocess.run([*nginx, "-g", "daemon on;"], check=True)
    try:
        _wait_for(app_port)
        _wait_for(proxy_port)
        yield {"proxy": proxy_port, "app": app_port, "gunicorn": gunicorn}
    finally:
        subprocess.run([*nginx, "-s", "stop"], check=False)
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        shutil.rmtree(run, ignore_errors=True)


def _get(port: int, path: str = "/", **kwargs):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", **kwargs)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _slow_clients(port: int, count: int) -> list[socket.socket]:
    """Slowloris: connections that send a request line and then a header now and then."""
    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(b"GET / HTTP/1.1\r\nHost: cafeia.test\r\n")
        clients.append(client)
    return clients


def test_pages_come_through_the_proxy_in_french_with_their_headers(site):
    status, headers, page = _get(site["proxy"], "/connexion")
    assert status == 200 and "Se connecter" in page
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_slow_clients_do_not_hold_the_workers(site):
    """More slow connections than gunicorn has workers: nginx holds them, pages still answer."""
    clients = _slow_clients(site["proxy"], 16)
    try:
        for _ in range(3):
            for client in clients:
                client.sendall(b"X-Lent: 1\r\n")
            status, _, page = _get(site["proxy"], "/")
            assert status == 200 and "Café IA" in page
            time.sleep(0.5)
    finally:
        for client in clients:
            client.close()


@pytest.mark.parametrize(
    ("path", "data", "status", "title"),
    [
        ("/annuaire?q=" + "a" * 10_000, None, 414, "Adresse trop longue"),
        ("/connexion", b"x" * (3 * 1024 * 1024), 413, "Envoi trop volumineux"),
    ],
    ids=["long-url", "huge-body"],
)
def test_what_the_proxy_refuses_is_refused_in_french(site, path, data, status, title):
    got, headers, page = _get(site["proxy"], path, data=data)
    assert got == status and title in page and "nginx" not in page
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_an_application_that_is_down_is_a_french_503(site, tmp_path):
    site["gunicorn"].terminate()
    site["gunicorn"].wait(timeout=30)
    status, headers, page = _get(site["proxy"], "/")
    assert status == 503 and "Service momentanément indisponible" in page
    assert headers["X-Frame-Options"] == "DENY"
