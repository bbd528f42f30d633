"""Serving with gunicorn on 127.0.0.1 and measuring requests per second with wrk.

The client is wrk (C, one thread, event-driven): it takes a fraction of a core where the
server takes the rest, so the minimal page measures the server, not the client; wrk_measure
says the cores each used in every run. Client and server share the machine's cores
(os.cpu_count(), said with each figure); pages are measured in alternating rounds, so that a
noisy neighbour weighs on all alike.
"""

import http.cookiejar
import os
import re
import resource
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 4
REQUESTS = 1200
CONNECTIONS = 8  # 4 per gunicorn worker: none waits on the client
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
# One browser: the login and wrk's requests say the same User-Agent. Flask-Login's session
# protection marks a session whose client changed as not fresh, which writes a new cookie:
# with a changing agent, every request of the bench would re-sign one, which no browser costs.
USER_AGENT = "cafeia-bench"


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
    _SERVERS[base] = process.pid
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
    opener.addheaders = [("User-Agent", USER_AGENT)]
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
    return wrk_measure(url, cookie, seconds).rate


@dataclass
class Measure:
    rate: float  # requests per second
    client: float  # cores wrk used, on average over the run
    server: float  # cores the gunicorn serving `url` used (master and workers)


def wrk_measure(url: str, cookie: str = "", seconds: int = SECONDS) -> Measure:
    """wrk's rate, with the CPU that wrk and the server each used during the run: a client
    near a full core, or client and server together short of the machine, would mean the
    client, not the server, sets the rate."""
    if not shutil.which("wrk"):
        sys.exit("wrk manque : make bench l'installe (apt-get install wrk)")
    headers = ["-H", f"User-Agent: {USER_AGENT}"]
    headers += ["-H", f"Cookie: {cookie}"] if cookie else []
    server = _SERVERS.get(re.match(r"http://[^/]+", url).group(0))
    client_before, server_before = _children_cpu(), _tree_cpu(server)
    started = time.perf_counter()
    output = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", *headers, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    elapsed = time.perf_counter() - started
    if "Non-2xx" in output or "Socket errors" in output and "timeout" in output:
        raise RuntimeError(f"wrk : réponses en erreur\n{output}")
    return Measure(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        client=(_children_cpu() - client_before) / elapsed,
        server=(_tree_cpu(server) - server_before) / elapsed,
    )


_SERVERS: dict[str, int] = {}  # base URL → gunicorn master's pid


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (wrk, once run() has waited on it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(pid: int | None) -> float:
    """CPU seconds of a process and its direct children (gunicorn's master and workers)."""
    if pid is None:
        return 0.0
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def paired_rates(measured: tuple[str, str], baseline: tuple[str, str]) -> tuple[float, float]:
    """(url, cookie) of the page and of its baseline, in ROUNDS alternating rounds: the
    medians of both, taken from the rounds' ratio so that the ratio is the paired one."""
    pairs = []
    for _ in range(ROUNDS):
        pairs.append((wrk_rate(*measured), wrk_rate(*baseline)))
    ratio = statistics.median(page / base for page, base in pairs)
    base = statistics.median(base for _, base in pairs)
    return base * ratio, base


def cores(measures: dict[str, list[Measure]] | None = None) -> str:
    """Where client and server ran; with measures, the cores each used (medians of the runs)."""
    load = os.getloadavg()[0]
    said = f"client wrk (1 fil) et serveurs sur les mêmes {os.cpu_count()} cœurs, charge {load:.1f}"
    for name, runs in (measures or {}).items():
        client = statistics.median(m.client for m in runs)
        server = statistics.median(m.server for m in runs)
        said += f"\n   {name} : client {client:.2f} cœur, serveur {server:.2f} cœur"
    return said
