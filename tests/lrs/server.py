"""Start and stop a real Ralph LRS 5.1 (file-system backend) on 127.0.0.1.

Needs tests/lrs/install.sh to have created <repo>/.venv-ralph. Stdlib only, as it
is imported from the main venv.

POST /xAPI/statements behaviour observed with Ralph 5.1.0 (strict mode, default):
- a batch is atomic: on any error nothing of it is stored;
- a statement in the batch whose id is already stored with *different* content
  -> 409 for the whole batch;
- a statement whose id is already stored with equivalent content is silently
  dropped: 200 with the ids of the others, or 204 with an empty body when all of
  them were already stored. Ralph fills in a missing "timestamp" with "stored",
  so re-posting a statement that had no timestamp counts as *different* -> 409;
- one invalid statement (e.g. no verb) -> 422 for the whole batch;
- the same id twice in one batch -> 400.
"""

import base64
import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

TESTS_LRS = pathlib.Path(__file__).resolve().parent
RALPH_VENV = TESTS_LRS.parent.parent / ".venv-ralph"
RALPH_PYTHON = RALPH_VENV / "bin" / "python"


def bind_port(port: int = 0) -> int:
    """Bind 127.0.0.1:port (0: any) like uvicorn does, release it, return the port."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn
        sock.bind(("127.0.0.1", port))
        return sock.getsockname()[1]


class RalphServer:
    username = "harness"
    password = "harness-password"
    agent_mbox = "mailto:harness@example.org"

    def __init__(self, workdir: pathlib.Path, port: int | None = None):
        self.workdir = pathlib.Path(workdir)
        self.port = port or bind_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.base}/xAPI/"
        self.log_path = self.workdir / "ralph.log"
        self.process: subprocess.Popen | None = None
        # Only our RALPH_* settings: nothing from the caller's environment leaks in.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("RALPH_")}
        self.env.update(
            RALPH_APP_DIR=str(self.workdir / "app"),  # auth.json, history.json
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_RUNSERVER_AUTH_BACKENDS="basic",
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.workdir / "lrs"),
        )

    def _run_ralph(self, *args: str) -> None:
        # cwd=workdir: Ralph's settings also read a ".env" file in the cwd.
        done = subprocess.run(
            [str(RALPH_VENV / "bin" / "ralph"), *args],
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"ralph {args[0]} failed:\n{done.stderr[-5000:]}")

    def start(self, timeout: float = 30.0) -> None:
        if not RALPH_PYTHON.exists():
            raise RuntimeError(f"{RALPH_PYTHON} is missing: run tests/lrs/install.sh")
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            # Else the heartbeat below could be answered by whoever holds the port.
            bind_port(self.port)
        except OSError as err:
            raise RuntimeError(f"port {self.port} is not free: {err}") from err
        # Once per workdir: `ralph auth -w` refuses a username already in auth.json.
        if not (self.workdir / "app" / "auth.json").exists():
            self._run_ralph(
                "auth",
                "-u",
                self.username,
                "-p",
                self.password,
                "-s",
                "all",
                "-M",
                self.agent_mbox,
                "-w",
            )
        with open(self.log_path, "ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [str(RALPH_PYTHON), str(TESTS_LRS / "launch.py"), str(self.port)],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self._fail(f"exited with code {self.process.returncode}")
            try:
                # Answers 200 once the app is up and the fs directory is usable.
                with urllib.request.urlopen(f"{self.base}/__heartbeat__", timeout=2):
                    return
            except urllib.error.HTTPError as err:
                err.close()  # up but unhealthy: keep waiting, then fail with the log
            except OSError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                self.stop()
                self._fail(f"did not answer within {timeout:.0f}s")
            time.sleep(0.1)

    def _fail(self, why: str):
        log = self.log_path.read_text(errors="replace")[-5000:]
        raise RuntimeError(f"Ralph LRS on port {self.port} {why}. Log:\n{log}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> "RalphServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def request(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        """Send an authenticated xAPI request; return (status, body) even on 4xx/5xx."""
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": "1.0.3",
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(
            urllib.parse.urljoin(self.base, path),
            data=data,
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            with err:  # closes the response, no ResourceWarning under -W error
                return err.code, err.read()

    def statements(self) -> list[dict]:
        """Every stored statement (fs backend: oldest first), following `more` links."""
        result, url = [], "/xAPI/statements"
        while url:
            status, body = self.request("GET", url)
            if status != 200:
                raise RuntimeError(f"GET {url} -> {status}: {body[:500]!r}")
            page = json.loads(body)
            result += page["statements"]
            url = page.get("more")
        return result

    def statement_ids(self) -> list[str]:
        return [s["id"] for s in self.statements()]
