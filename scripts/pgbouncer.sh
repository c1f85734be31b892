#!/usr/bin/env bash
# PgBouncer in transaction mode in front of the throw-away cluster of scripts/pg-cluster.sh
# (hosted mode, issue 27, H3: "works behind PgBouncer in transaction mode").
#
#   scripts/pgbouncer.sh start   install Debian's pgbouncer if missing, start it (as the
#                                `postgres` user: PgBouncer refuses root) on
#                                127.0.0.1:$HEARKEN_PGBOUNCER_PORT (default: the cluster's
#                                port + 1000), in front of the cluster on $HEARKEN_PG_PORT
#   scripts/pgbouncer.sh env     print the `export ...` lines for the tests
#   scripts/pgbouncer.sh stop    stop it and remove its directory (fine when none runs)
#
# Start the cluster first (scripts/pg-cluster.sh start, same HEARKEN_PG_PORT); stop
# PgBouncer before the cluster. Every command is idempotent and says what it does on
# stderr; `env` prints only the export lines on stdout.
#
# What `start` sets up:
#   - pool_mode = transaction: a server connection serves one transaction of a client,
#     then any other client's. hearken keeps nothing on a connection between transactions
#     (the store is set with set_config(..., true), the advisory lock is xact-level), so
#     this works; Debian 12 ships PgBouncer 1.18, which does not track prepared statements
#     (1.21's max_prepared_statements does): connect with `statement_cache=off` in the URL.
#   - clients authenticate with SCRAM-SHA-256 against an auth_file holding the cluster's
#     two passwords (mode 0600, in the bouncer's directory); PgBouncer logs in to the
#     cluster with the same passwords, over TLS verified against the cluster's CA
#     (server_tls_sslmode = verify-full).
#   - TLS from the client is optional (client_tls_sslmode = allow, the cluster's server
#     certificate for localhost and 127.0.0.1): tests/hosted_pgbouncer.rs connects with
#     sslmode=verify-full (so the CA and host name are checked on both hops) and once
#     with sslmode=disable.
#   - `options` is ignored as a startup parameter (PgBouncer cannot pool on it): a URL
#     that sets search_path through `options` gets the default path behind PgBouncer.
#
# `env` prints HEARKEN_TEST_PGBOUNCER_ENGINE_URL (the engine role through PgBouncer,
# verify-full, without statement_cache: a test adds it) and HEARKEN_TEST_PGBOUNCER_VERSION.
#
# How scripts/test.sh should call it (that script is owned elsewhere; not done here),
# after the cluster is started and its env evaluated:
#
#   scripts/pgbouncer.sh start
#   trap 'scripts/pgbouncer.sh stop; scripts/pg-cluster.sh stop' EXIT
#   eval "$(scripts/pgbouncer.sh env)"
#   cargo test --features hosted --test hosted_pgbouncer
set -euo pipefail

pg_port="${HEARKEN_PG_PORT:-55432}"
pg_dir="${HEARKEN_PG_DIR:-${TMPDIR:-/tmp}/hearken-pg-$pg_port}"
port="${HEARKEN_PGBOUNCER_PORT:-$((pg_port + 1000))}"
dir="${TMPDIR:-/tmp}/hearken-pgbouncer-$port"

say() { printf 'pgbouncer: %s\n' "$*" >&2; }
as_pg() { runuser -u postgres -- "$@"; }

running() {
  [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
}

install_pgbouncer() {
  if command -v pgbouncer >/dev/null; then
    return
  fi
  say "pgbouncer is missing: installing Debian's pgbouncer (apt-get update first)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends pgbouncer
  # Debian's package may start its own PgBouncer on 6432; this script does not use it.
}

start() {
  if [ ! -f "$pg_dir/secrets" ]; then
    say "no cluster in $pg_dir: run scripts/pg-cluster.sh start first (same HEARKEN_PG_PORT)"
    exit 1
  fi
  install_pgbouncer
  if running; then
    say "already running in $dir on 127.0.0.1:$port"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  local admin engine
  admin=$(sed -n 's/^admin=//p' "$pg_dir/secrets")
  engine=$(sed -n 's/^engine=//p' "$pg_dir/secrets")
  (
    umask 077
    printf '"hearken_admin" "%s"\n"hearken_engine" "%s"\n' "$admin" "$engine" >"$dir/userlist.txt"
  )
  cat >"$dir/pgbouncer.ini" <<CONF
[databases]
hearken_test = host=127.0.0.1 port=$pg_port dbname=hearken_test

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
pool_mode = transaction
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = options,extra_float_digits
server_tls_sslmode = verify-full
server_tls_ca_file = $pg_dir/tls/ca.crt
client_tls_sslmode = allow
client_tls_cert_file = $pg_dir/tls/server.crt
client_tls_key_file = $pg_dir/tls/server.key
logfile = $dir/log
pidfile = $dir/pgbouncer.pid
CONF
  chown -R postgres:postgres "$dir"
  say "starting $(pgbouncer --version | head -1) on 127.0.0.1:$port (transaction mode) in front of 127.0.0.1:$pg_port"
  as_pg pgbouncer -d "$dir/pgbouncer.ini"
  local i
  for i in $(seq 50); do
    if running; then
      say "running; eval \"\$($0 env)\""
      return
    fi
    sleep 0.1
  done
  say "pgbouncer did not start; its log:"
  cat "$dir/log" >&2 || true
  exit 1
}

env_lines() {
  if ! running; then
    say "no pgbouncer runs in $dir: run '$0 start' first"
    exit 1
  fi
  local engine
  engine=$(sed -n 's/^engine=//p' "$pg_dir/secrets")
  printf 'export HEARKEN_TEST_PGBOUNCER_ENGINE_URL=%q\n' \
    "postgresql://hearken_engine:$engine@127.0.0.1:$port/hearken_test?sslmode=verify-full&sslrootcert=$pg_dir/tls/ca.crt"
  printf 'export HEARKEN_TEST_PGBOUNCER_VERSION=%q\n' "$(pgbouncer --version | sed -n '1s/^PgBouncer //p')"
}

stop() {
  if running; then
    say "stopping pgbouncer in $dir"
    kill "$(cat "$dir/pgbouncer.pid")"
    local i
    for i in $(seq 50); do
      running || break
      sleep 0.1
    done
  else
    say "no pgbouncer runs in $dir"
  fi
  if [ -d "$dir" ]; then
    say "removing $dir"
    rm -rf "$dir"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
