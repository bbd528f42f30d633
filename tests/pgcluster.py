"""A private PostgreSQL server, started and restarted at will by a test or the benchmark.

The shared server on 5432 must never be restarted (others use it); this one lives in a
folder of its own under /tmp, on a free port of 127.0.0.1, and is thrown away at the end.
PostgreSQL refuses to run as root: as root, every binary runs as the `postgres` OS user.
Stdlib only, so that the benchmark can use it too.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def postgres_bindir() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian's layout), or PG_BINDIR."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_major_version)
    return Path(found[-1]).parent if found else None


def _major_version(pg_ctl: str) -> int:
    return int(Path(pg_ctl).parent.parent.name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    """initdb once, then start / stop / restart; `url(name)` for a database on it."""

    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or postgres_bindir()
        if self.bindir is None or not (self.bindir / "initdb").exists():
            raise RuntimeError("PostgreSQL introuvable : /usr/lib/postgresql/*/bin (ou PG_BINDIR)")
        self.as_postgres = os.geteuid() == 0
        # Not pytest's tmp_path: its parents are private to root, the postgres user
        # could not reach a data directory inside them.
        self.folder = Path(tempfile.mkdtemp(prefix="cafeia-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = _free_port()
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")  # fmt: skip

    def _run(self, binary: str, *args, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / binary), *map(str, args)]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if check and done.returncode:
            raise RuntimeError(f"{binary} a échoué :\n{done.stdout}{done.stderr}\n{self.logs()}")
        return done

    def logs(self, last: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-last:] if self.log.exists() else ""

    def start(self) -> None:
        # Its own socket folder, TCP on 127.0.0.1 only; fsync off: a scratch server,
        # stopped cleanly, whose data is thrown away.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: every open connection is cut, as when the server is restarted in production."""
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", self.data, "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)
        return self.url(name)

    def destroy(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "PostgresCluster":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()
