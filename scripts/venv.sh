#!/usr/bin/env bash
# Create .venv from the pinned requirements.txt when it is missing or older than the file.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.installed
if [[ -f $stamp && $stamp -nt requirements.txt ]]; then exit 0; fi
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
touch "$stamp"
