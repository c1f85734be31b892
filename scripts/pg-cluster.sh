#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the hosted-mode tests (issue 27, H1-H7).
#
#   scripts/pg-cluster.sh start   install Debian's postgresql if missing, make a cluster in
#                                 a temp dir owned by `postgres` (the server refuses root),
#                                 on 127.0.0.1:$HEARKEN_PG_PORT (default 55432), TLS on with
#                                 a throw-away CA; roles and the database `hearken_test`
#   scripts/pg-cluster.sh env     print the `export ...` lines for the tests
#   scripts/pg-cluster.sh stop    stop it and remove its directory (fine when none runs)
#
# Every command is idempotent and says what it does (on stderr; `env` prints only the
# export lines on stdout, so `eval "$(scripts/pg-cluster.sh env)"` works).
#
# What `start` makes:
#   - a CA (ca.crt), a server certificate for localhost and 127.0.0.1 signed by it (what
#     the server presents), and a second certificate for another host name, other.invalid
#     (other.crt/other.key: tests/hosted_tls_swap.rs makes the server present it);
#   - the role hearken_admin (LOGIN, password, NOSUPERUSER, BYPASSRLS, member of
#     pg_signal_backend so a test can pg_terminate_backend): owns the database and, once
#     the schema is installed, its tables;
#   - the role hearken_engine (LOGIN, password, NOSUPERUSER, NOBYPASSRLS, owns nothing):
#     what the engine connects as, so row-level security applies to it;
#   - the database hearken_test (owner hearken_admin). Only the local socket trusts; TCP
#     asks for a scram-sha-256 password and only over TLS (hostssl).
#
# `env` prints HEARKEN_TEST_PG_URL (admin), HEARKEN_TEST_PG_ENGINE_URL (engine role),
# HEARKEN_TEST_PG_CA, HEARKEN_TEST_PG_OTHER_CERT/_KEY, HEARKEN_TEST_PG_DIR and _PORT. The URLs
# use sslmode=verify-full with sslrootcert=ca.crt. The passwords are random per start,
# kept in the cluster directory (mode 0600), never on a command line.
#
# How scripts/test.sh should call it (that script is owned elsewhere; not done here):
#
#   scripts/pg-cluster.sh start
#   trap 'scripts/pg-cluster.sh stop' EXIT
#   eval "$(scripts/pg-cluster.sh env)"
#   export HEARKEN_TEST_REQUIRE_PG=1   # a lost variable then fails instead of skipping
#   cargo test --features hosted --test hosted_client --test hosted_schema --test hosted_tokio \
#     --test hosted_tls_swap
#   cargo test --features hosted --lib hosted::   # the unit tests (no cluster needed)
#   # the trap stops the cluster whatever happens
#
# Without HEARKEN_TEST_PG_URL (and without HEARKEN_TEST_REQUIRE_PG) the hosted tests
# print a loud SKIPPED line on stderr and pass.
set -euo pipefail

port="${HEARKEN_PG_PORT:-55432}"
dir="${HEARKEN_PG_DIR:-${TMPDIR:-/tmp}/hearken-pg-$port}"
bin=/usr/lib/postgresql/15/bin

say() { printf 'pg-cluster: %s\n' "$*" >&2; }
as_pg() { runuser -u postgres -- "$@"; }

running() {
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

install_postgres() {
  if [ -x "$bin/initdb" ]; then
    return
  fi
  say "$bin is missing: installing Debian's postgresql (apt-get update first)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends postgresql openssl
  # Debian's package starts its own cluster on 5432; this script does not use it.
}

make_certs() {
  local d="$dir/tls"
  say "making a throw-away CA and server certificates in $d"
  mkdir -p "$d"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$d/ca.key" -subj "/CN=hearken test CA" -days 3 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$d/ca.crt" 2>/dev/null
  local name san
  for name in server other; do
    if [ "$name" = server ]; then san="DNS:localhost,IP:127.0.0.1"; else san="DNS:other.invalid"; fi
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$name.key" 2>/dev/null
    openssl req -new -key "$d/$name.key" -subj "/CN=${san#DNS:}" -out "$d/$name.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=$san" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$d/$name.ext"
    openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
      -CAcreateserial -days 3 -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
  done
  chown -R postgres:postgres "$d"
  chmod 0600 "$d"/*.key
  chmod 0644 "$d"/*.crt
}

start() {
  install_postgres
  if running; then
    say "already running in $dir on 127.0.0.1:$port"
    return
  fi
  if [ -d "$dir" ]; then
    say "removing the stale directory $dir"
    rm -rf "$dir"
  fi
  say "creating a cluster in $dir (owned by postgres) on 127.0.0.1:$port"
  mkdir -p "$dir"
  chmod 0755 "$dir"
  chown postgres:postgres "$dir"
  make_certs
  local pwfile="$dir/secrets"
  (
    umask 077
    printf 'admin=%s\nengine=%s\n' "$(openssl rand -hex 16)" "$(openssl rand -hex 16)" >"$pwfile"
  )
  as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-instructions >/dev/null
  cat >>"$dir/data/postgresql.conf" <<EOF
# hearken test cluster (scripts/pg-cluster.sh)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
ssl = on
ssl_cert_file = '$dir/tls/server.crt'
ssl_key_file = '$dir/tls/server.key'
ssl_ca_file = '$dir/tls/ca.crt'
password_encryption = 'scram-sha-256'
max_connections = 200
fsync = off
EOF
  cat >"$dir/data/pg_hba.conf" <<EOF
local   all all                 trust
hostssl all all 127.0.0.1/32    scram-sha-256
EOF
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
  local admin engine
  admin=$(sed -n 's/^admin=//p' "$pwfile")
  engine=$(sed -n 's/^engine=//p' "$pwfile")
  say "creating roles hearken_admin, hearken_engine and the database hearken_test"
  # The passwords reach psql on stdin (this heredoc), never on a command line; they are
  # hex digits, so quoting them in SQL is safe.
  as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -f - >/dev/null <<EOF
CREATE ROLE hearken_admin LOGIN NOSUPERUSER CREATEROLE BYPASSRLS PASSWORD '$admin';
GRANT pg_signal_backend TO hearken_admin;
CREATE ROLE hearken_engine LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '$engine';
CREATE DATABASE hearken_test OWNER hearken_admin;
\\c hearken_test
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT ALL ON SCHEMA public TO hearken_admin;
GRANT USAGE ON SCHEMA public TO hearken_engine;
EOF
  say "running: $("$bin/postgres" --version) on 127.0.0.1:$port, TLS on; eval \"\$($0 env)\""
}

env_lines() {
  if ! running; then
    say "no cluster runs in $dir: run '$0 start' first"
    exit 1
  fi
  local admin engine q
  admin=$(sed -n 's/^admin=//p' "$dir/secrets")
  engine=$(sed -n 's/^engine=//p' "$dir/secrets")
  q="sslmode=verify-full&sslrootcert=$dir/tls/ca.crt"
  printf 'export HEARKEN_TEST_PG_URL=%q\n' "postgresql://hearken_admin:$admin@127.0.0.1:$port/hearken_test?$q"
  printf 'export HEARKEN_TEST_PG_ENGINE_URL=%q\n' "postgresql://hearken_engine:$engine@127.0.0.1:$port/hearken_test?$q"
  printf 'export HEARKEN_TEST_PG_CA=%q\n' "$dir/tls/ca.crt"
  printf 'export HEARKEN_TEST_PG_OTHER_CERT=%q\n' "$dir/tls/other.crt"
  printf 'export HEARKEN_TEST_PG_OTHER_KEY=%q\n' "$dir/tls/other.key"
  printf 'export HEARKEN_TEST_PG_DIR=%q\n' "$dir"
  printf 'export HEARKEN_TEST_PG_PORT=%q\n' "$port"
}

stop() {
  if running; then
    say "stopping the cluster in $dir"
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  else
    say "no cluster runs in $dir"
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
