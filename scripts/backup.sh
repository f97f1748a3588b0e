#!/usr/bin/env bash
# make backup: the database and the photos in one archive with SHA-256 sums
# (services/backup.py). The archive's path is the last line printed on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/pg.sh with DATABASE_URL .venv/bin/python -m services.backup backup "$@"
