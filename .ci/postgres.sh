#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the test suite and export BEHAVLAB_TEST_POSTGRES_URL.
# Source it (`. .ci/postgres.sh`); the cluster is stopped and removed when the sourcing shell exits.
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` system user.

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(pg_bin_dir)" ]; then
  echo "ci: installing PostgreSQL from the system packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(pg_bin_dir)"
[ -n "$PG_BIN" ] || { echo "ci: PostgreSQL could not be installed" >&2; return 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PG_PORT="${BEHAVLAB_CI_PG_PORT:-54329}"
PGDATA_DIR="$(mktemp -d /tmp/behavlab-ci-pg.XXXXXX)"
[ "$(id -u)" = 0 ] && chown postgres: "$PGDATA_DIR"
as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w \
  -o "-p $PG_PORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null

stop_postgres() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1
  rm -rf "$PGDATA_DIR"
}
trap stop_postgres EXIT

export BEHAVLAB_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
echo "ci: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
