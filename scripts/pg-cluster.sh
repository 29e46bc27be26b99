#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: `start DIR` creates it in DIR (initdb, trust auth, a free
# port on 127.0.0.1, the socket inside DIR) and prints its admin URL; `stop DIR` stops it. As root the cluster runs as
# the `postgres` user, since PostgreSQL refuses to run as root.
set -euo pipefail
cmd=${1:?usage: pg-cluster.sh start|stop DIR}
dir=${2:?usage: pg-cluster.sh start|stop DIR}

bin=""
for candidate in "${PG_BIN:-}" /usr/lib/postgresql/*/bin; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then bin=$candidate; fi
done
if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then bin=$(dirname "$(command -v initdb)"); fi
if [ -z "$bin" ]; then
  echo "pg-cluster: no initdb found (install Debian's postgresql package, or set PG_BIN)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres: "$dir"; fi
    chmod 700 "$dir"
    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-instructions >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300 -c shared_buffers=128MB" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "pg-cluster: unknown command $cmd" >&2
    exit 2
    ;;
esac
