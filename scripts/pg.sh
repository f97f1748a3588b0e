#!/usr/bin/env bash
# The project-local PostGIS cluster of $PANTAU_DATA_DIR (default var/), in $PANTAU_DATA_DIR/pg.
# Usage: scripts/pg.sh start | stop | status | createdb NAME [--fresh] | with VAR COMMAND...
#        scripts/pg.sh replica start|stop|remove [NAME]
# replica: a streaming hot standby of the cluster (pg_basebackup -R) in pg/replica-NAME (NAME default 1),
# on its own socket in pg/replica-NAME/run, same port: PANTAU_READ_DATABASE_URL can point at it.
# It listens on a Unix socket in its own folder only (pg/run), so clones never collide.
# As root the cluster runs as the postgres user; when that user cannot enter the
# data folder (a clone in /root, a mktemp -d folder), the cluster lives in
# /var/lib/pantau/<hash of the data folder> and pg is a link to it. The app
# follows the link (settings.local_pg_dir), so both always agree.
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${PANTAU_DATA_DIR:-$here/var}
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd -P)
link=$data_dir/pg
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $bindir ]] || { echo "PostgreSQL server binaries not found; run: make deps" >&2; exit 1; }
is_root() { [[ $(id -u) == 0 ]]; }

as_owner() {
  if is_root; then
    # initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
    # From / so that a private working folder is never the server's or initdb's.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

fail() { echo "pantau: $*" >&2; exit 1; }

# The first folder on the way to $1 the postgres user may not enter.
blocked_at() {
  local path=/ part
  local -a parts
  IFS=/ read -ra parts <<<"${1#/}"
  for part in "${parts[@]}"; do
    path=${path%/}/$part
    [[ -e $path ]] || return 0
    runuser -u postgres -- test -x "$path" 2>/dev/null || { echo "$path"; return; }
  done
}

# The real folder of the cluster: $link, or as root the folder it links to.
# With "new", as root, a cluster that does not exist yet is placed where the
# postgres user can reach it; without, nothing is created.
cluster_dir() {
  if ! is_root || [[ -L $link || -f $link/data/PG_VERSION ]]; then
    readlink -m "$link"
    return
  fi
  if [[ ${1:-} != new ]] || runuser -u postgres -- test -x "$data_dir" 2>/dev/null; then
    echo "$link"
    return
  fi
  # No cluster yet, and the postgres user cannot enter the data folder.
  local key home err
  key=$(printf %s "$data_dir" | sha256sum | cut -c1-16)
  home=/var/lib/pantau/$key
  # The empty folders and log a failed start of an older pg.sh left make way for the link.
  if [[ -d $link ]]; then
    rm -f "$link/initdb.log" "$link/server.log"
    rmdir "$link/data" "$link/run" 2>/dev/null || true
    rmdir "$link" 2>/dev/null || fail "the postgres user cannot enter $(blocked_at "$data_dir"), and $link is in the way of a link to $home; move $link away and try again"
  fi
  if ! err=$( (mkdir -p -m 755 /var/lib/pantau && mkdir -p -m 700 "$home" && chown postgres:postgres "$home") 2>&1); then
    fail "the postgres user cannot enter $(blocked_at "$data_dir"), and $home cannot be made ($err); put PANTAU_DATA_DIR under a folder others can enter, or set DATABASE_URL"
  fi
  echo "$data_dir" >"$home/origin" # which data folder this cluster belongs to
  ln -s "$home" "$link"
  echo "pantau: the postgres user cannot enter $(blocked_at "$data_dir"), so the cluster lives in $home ($link links to it)" >&2
  echo "$home"
}

if [[ ${1:-} == start ]]; then
  if is_root; then
    id -u postgres >/dev/null 2>&1 || fail "there is no postgres user to run the cluster as root; run: make deps"
  fi
  pg=$(cluster_dir new)
else
  pg=$(cluster_dir)
fi
run=$pg/run
port=54329

# The settings pg.sh writes at every start into pantau_memory.conf (named when it held the cache's size alone),
# which postgresql.conf includes last: so an older cluster follows too, and ALTER SYSTEM still overrides them.
# The cache: PostgreSQL's own advice for a server of its own, shared buffers of a quarter of the memory (here
# of the machine, or of its cgroup when that is less), from 128 MB to 8 GB. At 5,000,000 reports the leaders'
# rollups and covering index then stay in the cluster's cache (docs/SCALING.md).
start_conf() {
  local kb limit mb libs=()
  kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || echo max)
  if [[ $limit =~ ^[0-9]+$ ]] && ((limit / 1024 < kb)); then kb=$((limit / 1024)); fi
  mb=$((kb / 4096))
  ((mb >= 128)) || mb=128
  ((mb <= 8192)) || mb=8192
  echo "# Written by scripts/pg.sh at every start: the cache (a quarter of the memory, 128 MB to 8 GB) and the"
  echo "# libraries loaded at start. ALTER SYSTEM (postgresql.auto.conf) overrides either."
  echo "shared_buffers = ${mb}MB"
  # pg_stat_statements: per-statement times for whoever asks where the database's time goes (CREATE
  # EXTENSION pg_stat_statements in a database to read them); a few microseconds a statement.
  # pg_prewarm: its autoprewarm worker lists the cached pages every 5 minutes and at shutdown, and reads
  # them back after a start, so the first views after a restart do not each copy their pages in again.
  for lib in pg_stat_statements pg_prewarm; do
    if [[ -f $bindir/../lib/$lib.so ]]; then libs+=("$lib"); fi
  done
  if ((${#libs[@]})); then
    local IFS=,
    echo "shared_preload_libraries = '${libs[*]}'"
  fi
}

psql_local() { "$bindir/psql" -X -q -h "$run" -p "$port" -U postgres "$@"; }

case ${1:-} in
  start)
    # The kernel's limit for a socket's path (sun_path) is 107 bytes.
    socket=$run/.s.PGSQL.$port
    ((${#socket} <= 107)) || fail "the socket path $socket is longer than 107 bytes; use a shorter PANTAU_DATA_DIR"
    if [[ ! -f $pg/data/PG_VERSION ]]; then
      mkdir -p "$pg/data" "$run"
      is_root && chown -R postgres:postgres "$pg"
      chmod 700 "$pg/data"
      echo "pantau: creating the local PostGIS cluster in $pg"
      as_owner "$bindir/initdb" -D "$pg/data" -U postgres --auth=trust --locale=C.UTF-8 --encoding=UTF8 >"$pg/initdb.log"
      cat >>"$pg/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$run'
port = $port
fsync = on
work_mem = 64MB
maintenance_work_mem = 256MB
max_parallel_workers_per_gather = 2
jit = off
log_min_duration_statement = -1
# Streaming replicas (scripts/pg.sh replica start) copy and follow the cluster over its socket.
wal_level = replica
max_wal_senders = 10
CONF
    fi
    start_conf >"$pg/data/pantau_memory.conf"
    is_root && chown postgres:postgres "$pg/data/pantau_memory.conf"
    if ! grep -q "^include_if_exists = 'pantau_memory.conf'" "$pg/data/postgresql.conf"; then
      echo "include_if_exists = 'pantau_memory.conf'" >>"$pg/data/postgresql.conf"
    fi
    # A cluster made by another initdb (or an edited one) may lack the line that lets a replica stream.
    if ! grep -Eq '^local[[:space:]]+replication[[:space:]]' "$pg/data/pg_hba.conf"; then
      echo "local replication all trust" >>"$pg/data/pg_hba.conf"
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$pg/data" status >/dev/null 2>&1; then
      mkdir -p "$run"; is_root && chown postgres:postgres "$run" "$pg"
      # A cluster made in the data folder when the postgres user could still enter it.
      if is_root && blocked=$(blocked_at "$pg/data") && [[ -n $blocked ]]; then
        fail "the postgres user cannot enter $blocked, so the cluster in $pg cannot start; run: chmod o+x $blocked (or set DATABASE_URL)"
      fi
      as_owner "$bindir/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 start >/dev/null
      echo "pantau: local PostGIS cluster started (socket $run, port $port)"
    fi
    ;;
  stop)
    for standby in "$pg"/replica-*/data; do
      if [[ -f $standby/PG_VERSION ]] && as_owner "$bindir/pg_ctl" -D "$standby" status >/dev/null 2>&1; then
        as_owner "$bindir/pg_ctl" -D "$standby" -m fast -w stop >/dev/null
      fi
    done
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
  replica)
    action=${2:?replica start, stop or remove}
    name=${3:-1}
    [[ $name =~ ^[a-z0-9]+$ ]] || fail "a replica's name is letters and digits, not $name"
    standby=$pg/replica-$name
    running() { [[ -f $standby/data/PG_VERSION ]] && as_owner "$bindir/pg_ctl" -D "$standby/data" status >/dev/null 2>&1; }
    case $action in
      start)
        as_owner "$bindir/pg_ctl" -D "$pg/data" status >/dev/null 2>&1 || fail "the cluster is not running; run: scripts/pg.sh start"
        socket=$standby/run/.s.PGSQL.$port
        ((${#socket} <= 107)) || fail "the socket path $socket is longer than 107 bytes; use a shorter PANTAU_DATA_DIR"
        if [[ ! -f $standby/data/PG_VERSION ]]; then
          rm -rf "$standby"
          mkdir -p "$standby/run"
          is_root && chown -R postgres:postgres "$standby"
          echo "pantau: copying the cluster into the replica $standby"
          # -R: the copy starts as a standby that streams from the cluster's socket.
          as_owner "$bindir/pg_basebackup" -h "$run" -p "$port" -U postgres -D "$standby/data" -R -X stream \
            --checkpoint=fast --no-sync
          # Later lines win: its own socket, and a standby that answers reads while it replays.
          cat >>"$standby/data/postgresql.auto.conf" <<CONF
unix_socket_directories = '$standby/run'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 128MB
CONF
        fi
        if ! running; then
          mkdir -p "$standby/run"; is_root && chown postgres:postgres "$standby/run"
          as_owner "$bindir/pg_ctl" -D "$standby/data" -l "$standby/server.log" -w -t 60 start >/dev/null
          echo "pantau: replica $name started (socket $standby/run, port $port)"
        fi
        ;;
      stop)
        if running; then
          as_owner "$bindir/pg_ctl" -D "$standby/data" -m fast -w stop >/dev/null
          echo "pantau: replica $name stopped"
        fi
        ;;
      remove)
        if running; then as_owner "$bindir/pg_ctl" -D "$standby/data" -m immediate -w stop >/dev/null; fi
        rm -rf "$standby"
        ;;
      *) fail "replica start, stop or remove, not $action" ;;
    esac
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
    echo "usage: $0 start | stop | status | createdb NAME [--fresh] | with VAR COMMAND... | replica start|stop|remove [NAME]" >&2
    exit 2
    ;;
esac
