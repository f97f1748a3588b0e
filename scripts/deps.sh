#!/usr/bin/env bash
# Install the system packages Pantau needs, when they are missing.
# Usage: scripts/deps.sh run|test   (test adds Chromium, its driver and Redis)
# As root it runs apt-get; otherwise it prints the exact command and stops.
set -euo pipefail
want=${1:-run}
missing=()

pg_major=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 | sed -E 's#.*/postgresql/([0-9]+)/bin#\1#' || true)
if [[ -z $pg_major ]]; then
  # The distro's current major: postgresql-15 on Debian 12, -16 on Ubuntu 24.04, ...
  pg_major=$(apt-cache depends postgresql 2>/dev/null | sed -nE 's/.*Depends: postgresql-([0-9]+)$/\1/p' | head -1)
  pg_major=${pg_major:-15}
  missing+=("postgresql-$pg_major")
fi
ls /usr/share/postgresql/"$pg_major"/extension/postgis.control >/dev/null 2>&1 || missing+=("postgresql-$pg_major-postgis-3")
command -v psql >/dev/null || missing+=("postgresql-client")
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=("python3-venv")
if [[ $want == test ]]; then
  command -v chromium >/dev/null || missing+=("chromium")
  command -v chromedriver >/dev/null || missing+=("chromium-driver")
  command -v redis-server >/dev/null || missing+=("redis-server")
fi
# fonts-dejavu-core gives the demo pictures and screenshots readable text.
[[ -d /usr/share/fonts/truetype/dejavu ]] || missing+=("fonts-dejavu-core")

((${#missing[@]})) || exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) != 0 ]]; then
  echo "pantau: missing system packages. Run this, then try again:" >&2
  echo "  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "pantau: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null
# Debian starts a system cluster on install; Pantau runs its own under var/.
