"""`python -m bench load`: simulated learners against gunicorn on PostgreSQL, through faults.

N learners (BENCH_LOAD_LEARNERS, 50 by default) sign up, then sign in, open and complete
lessons, open and hand in quizzes, for BENCH_LOAD_SECONDS (75 by default). Meanwhile the LRS
is stopped for 15 s and started again, and PostgreSQL is restarted once. Reported: requests
per second beside the smallest Flask page served the same way, p50/p95/p99 per page kind,
errors by status (those of the database restart apart: 503, with the French page), and the
statements counted by id on both sides: none lost, none twice, the forwarder still running.

Everything runs on a private PostgreSQL server (tests/pgcluster.py) and a private Ralph, so
nothing shared is restarted.
"""

import http.cookiejar
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import create_engine, text

from lms.config import database_url
from tests.lrs.server import RalphServer
from tests.pgcluster import PostgresCluster

from .http import ROOT, gunicorn

LEARNERS = int(os.environ.get("BENCH_LOAD_LEARNERS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "75"))
LRS_OUTAGE = 15.0  # seconds the LRS stays stopped
DATABASE_OUTAGE = 5.0  # seconds PostgreSQL stays stopped
BASELINE_SECONDS = 10.0
PASSWORD = "mot-de-passe-du-banc"
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
UNAVAILABLE_PAGE = "Service momentanément indisponible"
MODULES = ("histoire-ia", "donnees-algorithmes", "ia-travail", "animer-cafe-ia")  # the demo's
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Sample:
    kind: str
    status: int  # 0: no HTTP answer at all (refused, reset, timed out)
    started: float
    seconds: float
    french_unavailable: bool = False


@dataclass
class Window:
    """When a fault lasted, on the run's clock; answers within it are counted apart."""

    start: float = float("inf")
    end: float = float("-inf")

    def overlaps(self, sample: "Sample", grace: float = 2.0) -> bool:
        """A request under way when the fault began counts too, and 2 s of recovery after."""
        return sample.started + sample.seconds >= self.start and sample.started <= self.end + grace


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    lrs_down: Window = field(default_factory=Window)
    database_down: Window = field(default_factory=Window)
    lock: threading.Lock = field(default_factory=threading.Lock)


class PlatformDown(Exception):
    """No answer, or a 5xx: the learner gives up this round, as a person would."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Each request is timed alone: a redirect is an answer, not a second request."""

    def redirect_request(self, *args, **kwargs):
        return None


class FormFields(HTMLParser):
    """The values a person would send with a page's form: hidden fields, and for each
    question the first choice, or places 1, 2, 3… for the lists of a fieldset."""

    def __init__(self, page: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select, self._selects_in_fieldset, self._options = None, 0, []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "fieldset":
            self._selects_in_fieldset = 0
        elif tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "hidden" or (kind in ("radio", "checkbox") and name not in self.values):
                self.values[name] = attrs.get("value", "on")
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select and attrs.get("value"):
            self._options.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if self._options:
                index = self._selects_in_fieldset % len(self._options)
                self.values[self._select] = self._options[index]
            self._selects_in_fieldset += 1
            self._select = None


class Learner:
    """One simulated person with their own cookies; every answer lands in the run."""

    def __init__(self, base: str, run: Run, clock_zero: float):
        self.base, self.run, self.zero = base, run, clock_zero
        self.email = f"apprenant-{uuid.uuid4().hex[:10]}@exemple.fr"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )
        self.csrf = ""  # none: signed out
        self.signed_up = False

    def request(self, kind: str, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                status, body = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            with error:
                status, body = error.code, error.read().decode(errors="replace")
        except OSError:
            status, body = 0, ""
        sample = Sample(kind, status, started - self.zero, time.perf_counter() - started)
        sample.french_unavailable = status == 503 and UNAVAILABLE_PAGE in body
        with self.run.lock:
            self.run.samples.append(sample)
        if status == 0 or status >= 500:
            raise PlatformDown(status)
        if token := CSRF.search(body):
            self.csrf = token.group(1)
        return status, body

    def post(self, kind: str, path: str, form: dict) -> int:
        return self.request(kind, path, {"csrf_token": self.csrf, **form})[0]

    def sign_up(self) -> int:
        self.request("inscription", "/inscription")
        profile = {
            "first_name": "Camille",
            "last_name": "Banc",
            "profile": "conseiller",
            "structure": "Médiathèque du banc",
            "commune": "Rennes",
            "departement": "35",
        }
        fields = {"email": self.email, "password": PASSWORD, "confirm": PASSWORD, **profile}
        return self.post("inscription envoyée", "/inscription", fields)

    def sign_in(self) -> bool:
        self.request("connexion", "/connexion")
        fields = {"email": self.email, "password": PASSWORD}
        return self.post("connexion envoyée", "/connexion", fields) == 302

    def follow_a_module(self) -> None:
        module = random.choice(MODULES)
        page = self.request("module", f"/modules/{module}")[1]
        lessons = dict.fromkeys(re.findall(rf'href="/modules/{module}/([a-z0-9-]+)"', page))
        for lesson in [slug for slug in lessons if slug != "quiz"]:
            self.request("leçon", f"/modules/{module}/{lesson}")
            self.post("leçon terminée", f"/modules/{module}/{lesson}/terminer", {})
        status, page = self.request("quiz", f"/modules/{module}/quiz")
        if status == 200:
            self.post("quiz envoyé", f"/modules/{module}/quiz", FormFields(page).values)

    def open_session(self) -> bool:
        """Sign up the first time (which signs in), sign in afterwards."""
        if self.signed_up:
            return self.sign_in()
        status = self.sign_up()
        self.signed_up = status in (302, 409)  # 409: an earlier try went through after all
        return status == 302

    def live_until(self, deadline: float) -> None:
        while time.perf_counter() < deadline:
            try:
                if self.open_session():
                    self.request("tableau de bord", "/tableau-de-bord")
                    self.follow_a_module()
                    self.post("déconnexion", "/deconnexion", {})
            except PlatformDown:
                time.sleep(1)  # then back, in a new browser session: they sign in again
            self.cookies.clear()
            self.csrf = ""


def run_learners(base: str, seconds: float, faults=None) -> tuple[Run, float]:
    run, zero = Run(), time.perf_counter()
    deadline = zero + seconds
    threads = [
        threading.Thread(target=Learner(base, run, zero).live_until, args=(deadline,))
        for _ in range(LEARNERS)
    ]
    if faults:
        threads.append(threading.Thread(target=faults, args=(run, zero), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads[:LEARNERS]:
        thread.join()
    return run, time.perf_counter() - zero


def hammer_minimal_page(base: str, seconds: float) -> tuple[list[Sample], float]:
    """The baseline: the same number of clients, each asking for the smallest page."""
    run, zero = Run(), time.perf_counter()

    def client():
        learner = Learner(base, run, zero)
        while time.perf_counter() < zero + seconds:
            learner.request("page minimale", "/")

    threads = [threading.Thread(target=client) for _ in range(LEARNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run.samples, time.perf_counter() - zero


def faults(cluster: PostgresCluster, ralph: RalphServer, seconds: float):
    """At 20 % of the run the LRS stops for 15 s; at 60 % PostgreSQL restarts."""

    def inject(run: Run, zero: float):
        clock = lambda: time.perf_counter() - zero  # noqa: E731
        time.sleep(max(0.0, 0.2 * seconds - clock()))
        run.lrs_down.start = clock()
        ralph.stop()
        time.sleep(LRS_OUTAGE)
        ralph.start()
        run.lrs_down.end = clock()
        time.sleep(max(0.0, 0.6 * seconds - clock()))
        run.database_down.start = clock()
        cluster.restart(down_for=DATABASE_OUTAGE)
        run.database_down.end = clock()

    return inject


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def forwarder(env: dict, log_path: Path):
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*FLASK, "lms", "xapi", "forward", "--loop", "--interval", "1"],
            cwd=ROOT,
            env={**os.environ, **env, "LOG_LEVEL": "INFO"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


def prepare_platform(cluster: PostgresCluster) -> dict:
    """A migrated database holding the demo, and the environment gunicorn and the forwarder
    share (rate limits lifted: every learner comes from 127.0.0.1)."""
    env = {
        "DATABASE_URL": cluster.create_database("bench_load"),
        "SECRET_KEY": "bench-load",
        "BASE_URL": "http://cafeia.bench",
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "SIGNUP_RATE_LIMIT": "100000 per minute",
        "LOG_LEVEL": "ERROR",  # each request of the restart window would log its 503
    }
    for command in (["lms", "init-db"], ["lms", "demo"]):
        subprocess.run(
            [*FLASK, *command], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True
        )
    return env


def main(print_figure) -> None:
    print(f"Charge : {LEARNERS} apprenants simulés pendant {SECONDS:.0f} s\n")
    with gunicorn("bench.minimal:app", {}) as base:
        baseline, baseline_elapsed = hammer_minimal_page(base, BASELINE_SECONDS)
    folder = Path(tempfile.mkdtemp(prefix="cafeia-bench-load-"))
    with PostgresCluster() as cluster:
        env = prepare_platform(cluster)
        # The demo's synthetic history is stored as delivered long ago: it never leaves.
        demo = statement_ids(env["DATABASE_URL"], "delivered")
        ralph = RalphServer(folder / "ralph")
        # One page of GET /statements holds them all: they are counted in a single request.
        ralph.env["RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT"] = "1000000"
        ralph.start()
        env.update(
            LRS_ENDPOINT=ralph.endpoint, LRS_USERNAME=ralph.username, LRS_PASSWORD=ralph.password
        )
        try:
            with (
                gunicorn("wsgi:app", env) as base,
                forwarder(env, folder / "forwarder.log") as process,
            ):
                run, elapsed = run_learners(base, SECONDS, faults(cluster, ralph, SECONDS))
                drained = wait_for_the_outbox(env["DATABASE_URL"], process)
                verdict = count_statements(env["DATABASE_URL"], demo, ralph, process, drained)
        finally:
            ralph.stop()
    report(run, elapsed, baseline, baseline_elapsed, print_figure)
    print_verdict(verdict, folder / "forwarder.log")  # exits on a failure, the log kept
    shutil.rmtree(folder, ignore_errors=True)


def wait_for_the_outbox(url: str, process, timeout: float = 120.0) -> float | None:
    """Seconds until nothing waits any more once the learners stopped; None: still waiting."""
    engine, started = create_engine(database_url(url)), time.perf_counter()
    try:
        while time.perf_counter() - started < timeout and process.poll() is None:
            with engine.connect() as connection:
                waiting = connection.scalar(
                    text("SELECT count(*) FROM xapi_statements WHERE delivery = 'pending'")
                )
            if not waiting:
                return time.perf_counter() - started
            time.sleep(0.5)
        return None
    finally:
        engine.dispose()


def statement_ids(url: str, delivery: str | None = None) -> set[str]:
    engine = create_engine(database_url(url))
    query = "SELECT id FROM xapi_statements" + (" WHERE delivery = :delivery" if delivery else "")
    with engine.connect() as connection:
        ids = set(connection.scalars(text(query), {"delivery": delivery}))
    engine.dispose()
    return ids


def count_statements(url: str, demo: set[str], ralph: RalphServer, process, drained) -> dict:
    """The run's statements, by id, in the platform's table and in Ralph."""
    ours = statement_ids(url) - demo
    theirs = Counter(ralph.statement_ids())
    return {
        "platform": len(ours),
        "lrs": sum(theirs.values()),
        "lost": len(ours - set(theirs)),
        "twice": sum(n - 1 for n in theirs.values() if n > 1),
        "foreign": len(set(theirs) - ours),
        "forwarder_alive": process.poll() is None,
        "drained": drained,
    }


def report(run: Run, elapsed: float, baseline, baseline_elapsed: float, print_figure) -> None:
    answered = [s for s in run.samples if s.status]
    print_figure(
        "parcours d'apprenants, toutes pages (req/s)",
        len(run.samples) / elapsed,
        "page Flask minimale, mêmes clients",
        len(baseline) / baseline_elapsed,
        "req/s",
    )
    print_figure(
        "p95 de toutes les pages du parcours",
        percentile([s.seconds for s in answered], 0.95) * 1000,
        "p95 de la page Flask minimale",
        percentile([s.seconds for s in baseline], 0.95) * 1000,
        "ms",
    )
    by_kind = defaultdict(list)
    for sample in answered:
        by_kind[sample.kind].append(sample.seconds * 1000)
    print(f"{'page':<24} {'requêtes':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(by_kind.items()):
        print(
            f"{kind:<24} {len(values):>9} {percentile(values, 0.5):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f}"
        )
    print_errors(run)


def print_errors(run: Run) -> None:
    """Statuses ≥ 400 (0: no answer) by page, those of the database restart apart."""
    during, outside, french = Counter(), Counter(), 0
    for sample in run.samples:
        if sample.status and sample.status < 400:
            continue
        if run.database_down.overlaps(sample):
            during[sample.status] += 1
            french += sample.french_unavailable
        else:
            outside[f"{sample.status} {sample.kind} à {sample.started:.0f} s"] += 1
    window, lrs = run.database_down, run.lrs_down
    print(f"\nErreurs hors redémarrage de la base : {dict(outside) or 'aucune'}")
    print(
        f"Pendant le redémarrage de PostgreSQL ({window.start:.0f}–{window.end:.0f} s, "
        f"et 2 s après) : {dict(during) or 'aucune'} ; pages 503 en français : "
        f"{french}/{during[503]}"
    )
    print(f"LRS arrêté de {lrs.start:.0f} à {lrs.end:.0f} s\n")


def print_verdict(verdict: dict, log_path: Path) -> None:
    drained = verdict["drained"]
    print(
        f"Déclarations du banc : plateforme {verdict['platform']}, "
        f"Ralph {verdict['lrs']} ; perdues {verdict['lost']}, en double {verdict['twice']}, "
        f"inconnues de la plateforme {verdict['foreign']}"
    )
    print(
        "File d'envoi vidée "
        + (f"{drained:.1f} s après la fin des apprenants" if drained is not None else "JAMAIS")
        + " ; transmetteur "
        + ("toujours actif" if verdict["forwarder_alive"] else "ARRÊTÉ")
    )
    broken = (
        verdict["lost"] or verdict["twice"] or verdict["foreign"] or drained is None
    ) or not verdict["forwarder_alive"]
    if broken:
        sys.exit(f"Échec : voir le journal du transmetteur, {log_path}")
