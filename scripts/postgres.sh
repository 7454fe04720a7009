#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for tests, benchmarks and `make cluster` (Debian's postgresql package,
# installed with apt-get when missing). Trust authentication, 127.0.0.1 only, data in DIR.
#
#   scripts/postgres.sh start DIR PORT    # prints the SQLAlchemy URL of database "assistant"
#   scripts/postgres.sh stop DIR
set -euo pipefail

action=${1:?usage: postgres.sh start DIR PORT | stop DIR}
dir=$(realpath -m "${2:?the data folder}")
port=${3:-25432}

if [[ "$(id -u)" == "0" ]]; then SUDO=""; AS=(runuser -u postgres --); else SUDO="sudo"; AS=(); fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bindir" ]]; then
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

case "$action" in
start)
    mkdir -p "$dir"
    if [[ "$(id -u)" == "0" ]]; then chown postgres "$dir"; fi
    if [[ ! -f "$dir/PG_VERSION" ]]; then
        "${AS[@]}" "$bindir/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if "${AS[@]}" "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        :  # already running (a second `start` is harmless)
    else
    "${AS[@]}" "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
    fi
    "${AS[@]}" "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='assistant'" | grep -q 1 \
        || "${AS[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres assistant
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/assistant"
    ;;
stop)
    if [[ -f "$dir/postmaster.pid" ]]; then
        "${AS[@]}" "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    fi
    ;;
*)
    echo "usage: postgres.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
