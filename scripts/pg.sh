#!/usr/bin/env bash
# The project-local PostGIS cluster under $PANTAU_DATA_DIR/pg (default var/pg).
# Usage: scripts/pg.sh start | stop | status | createdb NAME [--fresh] | with VAR COMMAND...
# It listens on a Unix socket in its own folder only, so clones never collide.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${PANTAU_DATA_DIR:-$here/var}
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
pg=$data_dir/pg
run=$pg/run
port=54329
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $bindir ]] || { echo "PostgreSQL server binaries not found; run: make deps" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) == 0 ]]; then
    # initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

psql_local() { "$bindir/psql" -X -q -h "$run" -p "$port" -U postgres "$@"; }

case ${1:-} in
  start)
    if [[ ! -f $pg/data/PG_VERSION ]]; then
      mkdir -p "$pg/data" "$run"
      [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$pg"
      chmod 700 "$pg/data"
      echo "pantau: creating the local PostGIS cluster in $pg"
      as_owner "$bindir/initdb" -D "$pg/data" -U postgres --auth=trust --locale=C.UTF-8 --encoding=UTF8 >"$pg/initdb.log"
      cat >>"$pg/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$run'
port = $port
fsync = on
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 256MB
max_parallel_workers_per_gather = 2
jit = off
log_min_duration_statement = -1
CONF
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$pg/data" status >/dev/null 2>&1; then
      mkdir -p "$run"; [[ $(id -u) == 0 ]] && chown postgres:postgres "$run" "$pg"
      as_owner "$bindir/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 start >/dev/null
      echo "pantau: local PostGIS cluster started (socket $run, port $port)"
    fi
    ;;
  stop)
    if [[ -f $pg/data/PG_VERSION ]] && as_owner "$bindir/pg_ctl" -D "$pg/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null
      echo "pantau: local PostGIS cluster stopped"
    fi
    ;;
  status)
    as_owner "$bindir/pg_ctl" -D "$pg/data" status
    ;;
  createdb)
    name=${2:?database name}
    if [[ ${3:-} == --fresh ]]; then
      psql_local -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
    fi
    exists=$(psql_local -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")
    [[ $exists == 1 ]] || psql_local -d postgres -c "CREATE DATABASE \"$name\""
    ;;
  with)
    # Run COMMAND with the local cluster up, unless the environment variable VAR
    # names another database. A cluster started here is stopped afterwards
    # (also on Ctrl-C); one that was already running is left running.
    var=${2:?variable naming an external database}
    shift 2
    started=0
    stop_started() { if ((started)); then "$0" stop >&2; fi; }
    trap stop_started EXIT
    trap 'exit 130' INT TERM
    if [[ -z ${!var:-} ]] && ! as_owner "$bindir/pg_ctl" -D "$pg/data" status >/dev/null 2>&1; then
      "$0" start >&2
      started=1
    fi
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  *)
    echo "usage: $0 start | stop | status | createdb NAME [--fresh] | with VAR COMMAND..." >&2
    exit 2
    ;;
esac
