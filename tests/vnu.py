"""The Nu HTML checker (npm's vnu-jar, on Debian's Java): the W3C's own validator, run in batches."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

VNU = (
    Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

# A batch lasts seconds: the quick compiler alone and the serial collector start sooner and take
# less processor time than the JIT's second tier; its bigger frames need a bigger stack.
JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m")


def require_checker() -> None:
    """Skip (fail on CI) when Java or vnu-jar is missing: `make test` installs both."""
    if not (shutil.which("java") and VNU.exists()):
        reason = "Java (apt-get install default-jre-headless) et vnu-jar (npm ci) sont requis : make test"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def html_errors(documents: dict[str, str]) -> list[str]:
    """Every error the checker finds, as « page, line: message (extract) ».

    `documents` maps a name (a URL, say) to its HTML; one JVM checks them all, since it
    takes a second or two to start.
    """
    if not documents:
        return []
    with tempfile.TemporaryDirectory() as folder:
        names, files = {}, []
        for number, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"{number:04}.html"
            path.write_text(html, encoding="utf-8")
            names[path.name], files = name, [*files, str(path)]
        checked = subprocess.run(
            [
                "java",
                *JVM,
                "-jar",
                str(VNU),
                "--format",
                "json",
                "--errors-only",
                "--exit-zero-always",
            ]
            + files,
            capture_output=True,
            text=True,
            check=True,
        )
    messages = json.loads(checked.stderr)["messages"]
    return [
        f"{names.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}, ligne {m.get('lastLine', '?')} : "
        f"{m['message']} — {m.get('extract', '').strip()[:160]!r}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
