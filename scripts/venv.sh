#!/usr/bin/env bash
# Create or update .venv from the hashed lock files.
# Usage: scripts/venv.sh run|test
#   run:  what Pantau needs to run (requirements/run.txt): make run, make serve, make backup
#   test: that and what tests, benchmarks and linters need (requirements/test.txt)
# Each level leaves a stamp (.venv/.installed-run, .venv/.installed-test) newer than its lock
# files; a level whose stamp is current installs nothing, so make run after make test is instant.
set -euo pipefail
cd "$(dirname "$0")/.."
level=${1:-run}
case $level in
  run) locks=(requirements/run.txt) ;;
  test) locks=(requirements/run.txt requirements/test.txt) ;;
  *) echo "usage: scripts/venv.sh run|test" >&2; exit 2 ;;
esac
stamp=.venv/.installed-$level
current=1
for lock in "${locks[@]}"; do [[ -f $stamp && $stamp -nt $lock ]] || current=0; done
((current)) && exit 0

[[ -x .venv/bin/python ]] || python3 -m venv .venv
# --require-hashes: every file must match a hash in the lock. --no-deps: the lock already lists
# every package (pip-compile resolved them), so pip installs exactly that and fetches nothing else.
# A package dropped from a lock stays in an existing .venv until it is made anew (rm -rf .venv).
for lock in "${locks[@]}"; do
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r "$lock"
done
# The locks are complete and consistent with each other: say so loudly if not.
if ! .venv/bin/python -m pip check --disable-pip-version-check >/dev/null; then
  .venv/bin/python -m pip check --disable-pip-version-check >&2
  exit 1
fi
touch .venv/.installed-run
[[ $level == test ]] && touch .venv/.installed-test
exit 0
