#!/usr/bin/env bash
# make restore FILE=archive: check every checksum in the archive, then replace
# the database and put the photos back (services/backup.py). Stop the app first.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:-}
[[ -n $archive ]] || { echo "usage: make restore FILE=var/backups/pantau-YYYYmmdd-HHMMSS.tar" >&2; exit 2; }
exec scripts/pg.sh with DATABASE_URL .venv/bin/python -m services.backup restore "$archive"
