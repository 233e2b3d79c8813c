#!/usr/bin/env bash
# Print a DATABASE_URL for a running PostgreSQL: the server on 127.0.0.1:5432 when one answers,
# else a throwaway cluster under var/pg (UTF-8 LC_CTYPE, so that pg_trgm makes trigrams of Chinese).
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "postgres://postgres@127.0.0.1:5432/shelfmark"
  exit 0
fi
if ls /etc/postgresql/*/main >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start >&2 || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "postgres://postgres@127.0.0.1:5432/shelfmark"
    exit 0
  fi
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
data="$PWD/var/pg"
port=5499
run_as=()
if [ "$(id -u)" -eq 0 ]; then run_as=(runuser -u postgres --); mkdir -p "$data"; chown postgres "$data"; fi
if [ ! -f "$data/PG_VERSION" ]; then
  "${run_as[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
fi
"${run_as[@]}" "$bindir/pg_ctl" -D "$data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" -l "$data/log" -w start >&2 || true
echo "postgres://postgres@127.0.0.1:$port/shelfmark"
