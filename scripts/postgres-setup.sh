#!/usr/bin/env bash
# Prepares the local PostgreSQL for change data capture (seed 002's Debezium flow, natively):
# logical decoding (wal_level=logical) and the wal2json output plugin from Debian's packages.
# Idempotent; restarts PostgreSQL only when wal_level has to change.
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
psql_() { psql -h "$PGHOST" -U "$PGUSER" -d postgres -tAc "$1"; }

ver=$(psql_ "show server_version_num" | cut -c1-2)
if ! ls /usr/lib/postgresql/"$ver"/lib/wal2json.so >/dev/null 2>&1; then
  echo "postgres-setup: installing postgresql-$ver-wal2json"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "postgresql-$ver-wal2json" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq "postgresql-$ver-wal2json" >/dev/null; }
fi
if [ "$(psql_ 'show wal_level')" != "logical" ]; then
  echo "postgres-setup: setting wal_level=logical and restarting PostgreSQL $ver"
  psql_ "ALTER SYSTEM SET wal_level = logical" >/dev/null
  psql_ "ALTER SYSTEM SET max_replication_slots = 20" >/dev/null
  pg_ctlcluster --skip-systemctl-redirect "$ver" main restart
  for _ in $(seq 1 30); do psql_ "select 1" >/dev/null 2>&1 && break; sleep 1; done
fi
# Newer PostgreSQL minors only load output plugins listed in output_plugin_libraries.
if psql_ "select 1 from pg_settings where name = 'output_plugin_libraries'" | grep -q 1; then
  current=$(psql_ "show output_plugin_libraries" | tr -d '"')
  case "$current" in
    *wal2json*) ;;
    *) echo "postgres-setup: allowing wal2json in output_plugin_libraries"
       list=$(printf '%s' "${current:+$current, }wal2json" | sed "s/ *, */', '/g")
       psql_ "ALTER SYSTEM SET output_plugin_libraries = '$list'" >/dev/null
       psql_ "select pg_reload_conf()" >/dev/null ;;
  esac
fi
echo "postgres-setup: wal_level=$(psql_ 'show wal_level'), wal2json ready"
