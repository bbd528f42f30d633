#!/usr/bin/env bash
# Install the real Ralph LRS into <repo root>/.venv-ralph, apart from the main
# venv (Ralph pins fastapi, pydantic, click... that must not clash with ours).
# Idempotent: a stamp holding the hash of requirements.txt skips the work when
# nothing changed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/../.." && pwd)/.venv-ralph"
requirements="$here/requirements.txt"
stamp="$venv/.installed"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"

if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    exit 0
fi

[ -x "$venv/bin/python" ] || python3.11 -m venv "$venv"
rm -f "$stamp"  # a failed install below must not leave an old stamp behind
"$venv/bin/python" -m pip install --quiet --no-input -r "$requirements"
echo "$wanted" > "$stamp"
echo "Ralph LRS installed in $venv"
