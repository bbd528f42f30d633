"""Serving with gunicorn on 127.0.0.1 and measuring requests per second with wrk.

The client is wrk (C, one thread, event-driven): it takes a fraction of a core where the
server takes the rest, so the minimal page measures the server, not the client. Client and
server share the machine's cores (os.cpu_count(), said with each figure); both pages are
measured in alternating rounds, so that a noisy neighbour weighs on both alike.
"""

import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 4
REQUESTS = 1200
CONNECTIONS = 8  # 4 per gunicorn worker: none waits on the client
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict, workers: int = 2):
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)  # a loaded machine: workers finish their request first
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def logged_in_opener(base: str, email: str, password: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/connexion").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    opener.open(base + "/connexion", data=data.encode()).read()
    return opener


def requests_per_second(opener, url: str) -> float:
    for _ in range(20):
        opener.open(url).read()
    errors = []

    def client(count):
        try:
            for _ in range(count):
                with opener.open(url) as response:
                    assert response.status == 200
                    response.read()
        except Exception as error:  # reported after the run
            errors.append(error)

    threads = [threading.Thread(target=client, args=(REQUESTS // CLIENTS,)) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return REQUESTS / elapsed


def cookie_header(opener) -> str:
    """The session cookie of a logged_in_opener, for wrk."""
    jar = next(h.cookiejar for h in opener.handlers if hasattr(h, "cookiejar"))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk_rate(url: str, cookie: str = "", seconds: int = SECONDS) -> float:
    """Requests per second that wrk measured; a non-2xx answer fails the bench."""
    if not shutil.which("wrk"):
        sys.exit("wrk manque : make bench l'installe (apt-get install wrk)")
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    output = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", *headers, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output and "timeout" in output:
        raise RuntimeError(f"wrk : réponses en erreur\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def paired_rates(measured: tuple[str, str], baseline: tuple[str, str]) -> tuple[float, float]:
    """(url, cookie) of the page and of its baseline, in ROUNDS alternating rounds: the
    medians of both, taken from the rounds' ratio so that the ratio is the paired one."""
    pairs = []
    for _ in range(ROUNDS):
        pairs.append((wrk_rate(*measured), wrk_rate(*baseline)))
    ratio = statistics.median(page / base for page, base in pairs)
    base = statistics.median(base for _, base in pairs)
    return base * ratio, base


def cores() -> str:
    load = os.getloadavg()[0]
    return f"client wrk (1 fil) et serveur sur les mêmes {os.cpu_count()} cœurs, charge {load:.1f}"
