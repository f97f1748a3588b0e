#!/usr/bin/env bash
# make restore FILE=archive: check every checksum in the archive, then replace
# the database and put the photos back (db/backup.py). Stop the app first.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:-}
[[ -n $archive ]] || { echo "usage: make restore FILE=var/backups/pantau-YYYYmmdd-HHMMSS.tar" >&2; exit 2; }
started_pg=0
stop() { if ((started_pg)); then scripts/pg.sh stop >&2; fi; }
trap stop EXIT
if [[ -z ${DATABASE_URL:-} ]] && ! scripts/pg.sh status >/dev/null 2>&1; then
  scripts/pg.sh start >&2
  started_pg=1
fi
.venv/bin/python -m db.backup restore "$archive"
