#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the tests:
#   eval "$(bash scripts/pg_test_cluster.sh start)"   # exports VANBAN_TEST_PG
#   bash scripts/pg_test_cluster.sh stop
#   bash scripts/pg_test_cluster.sh restart   # after a crash: recovery, same data
# VANBAN_TEST_PG_STATE and VANBAN_TEST_PG_PORT place a second cluster beside it;
# VANBAN_TEST_PG_OPTIONS adds server settings (the benchmarks': "-c shared_buffers=1GB").
# Installs Debian's postgresql package when no server is found. The cluster lives
# in a temporary folder (trust authentication, loopback only) and is removed by
# 'stop'. As root, the server runs as the 'postgres' user (it refuses root).
set -euo pipefail
state=${VANBAN_TEST_PG_STATE:-/tmp/vanban-pg-test}
port=${VANBAN_TEST_PG_PORT:-54329}

find_bin() {
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/$1" ] && { echo "$dir/$1"; return; }
  done
  command -v "$1" || true
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  if [ -z "$(find_bin postgres)" ]; then
    echo "pg_test_cluster: installing postgresql" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  initdb=$(find_bin initdb); pg_ctl=$(find_bin pg_ctl)
  if [ -d "$state/data" ] && as_owner "$pg_ctl" -D "$state/data" status >/dev/null 2>&1; then
    # Already running (another test session's): use it, and leave it running.
    echo "export VANBAN_TEST_PG=postgresql://postgres@127.0.0.1:$port/postgres"
    echo "export VANBAN_TEST_PG_DATA=$state/data"
    echo "export VANBAN_TEST_PG_REUSED=1"
    exit 0
  fi
  rm -rf "$state"; mkdir -p "$state"
  [ "$(id -u)" -eq 0 ] && chown postgres "$state"
  as_owner "$initdb" -D "$state/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # The web tests' people sign in with a password (the web refuses a connection
  # the server let in on trust): members of vanban_people_test must give one.
  { echo "host all +vanban_people_test 127.0.0.1/32 scram-sha-256"; cat "$state/data/pg_hba.conf"; } \
    > "$state/hba.tmp" && mv "$state/hba.tmp" "$state/data/pg_hba.conf"
  [ "$(id -u)" -eq 0 ] && chown postgres "$state/data/pg_hba.conf"
  as_owner "$pg_ctl" -D "$state/data" -l "$state/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$state ${VANBAN_TEST_PG_OPTIONS:-}" start >/dev/null
  echo "export VANBAN_TEST_PG=postgresql://postgres@127.0.0.1:$port/postgres"
  echo "export VANBAN_TEST_PG_DATA=$state/data"
  ;;
restart)
  pg_ctl=$(find_bin pg_ctl)
  as_owner "$pg_ctl" -D "$state/data" -l "$state/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$state" start >/dev/null
  ;;
stop)
  pg_ctl=$(find_bin pg_ctl)
  if [ -f "$state/data/postmaster.pid" ]; then as_owner "$pg_ctl" -D "$state/data" -m fast stop >/dev/null || true; fi
  rm -rf "$state"
  ;;
*)
  echo "usage: $0 start|stop|restart" >&2; exit 2 ;;
esac
