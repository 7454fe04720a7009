#!/usr/bin/env bash
# The whole topology on one machine, on loopback, as you would try it before renting machines:
#   a Chroma server (`chroma run`), PostgreSQL (Debian's package), N app workers and HAProxy in front
#   (sticky sessions for the Gradio UI, least-connections for the HTTP API, health checks on /api/health).
#
#   scripts/cluster.sh start     # syncs the corpus once, starts everything, prints the address
#   scripts/cluster.sh stop      # stops what start started
#   scripts/cluster.sh status
#
# Settings (environment): PA_CLUSTER_DIR (state, default /tmp/programme-assistant-cluster), PA_CLUSTER_PORT
# (the balancer, 8080), PA_CLUSTER_WORKERS (2), PA_CLUSTER_WORKER_PORT (first worker's port, 7871),
# PA_CLUSTER_CHROMA_PORT (8100), PA_CLUSTER_PG_PORT (25432), PA_CORPUS_DIR (./corpus).
# Needs the project's virtual environment (.venv; `make test` or `make run` creates it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DIR=${PA_CLUSTER_DIR:-/tmp/programme-assistant-cluster}
PORT=${PA_CLUSTER_PORT:-8080}
WORKERS=${PA_CLUSTER_WORKERS:-2}
WORKER_PORT=${PA_CLUSTER_WORKER_PORT:-7871}
CHROMA_PORT=${PA_CLUSTER_CHROMA_PORT:-8100}
PG_PORT=${PA_CLUSTER_PG_PORT:-25432}
CORPUS=$(realpath "${PA_CORPUS_DIR:-corpus}")
BIN=${PA_CLUSTER_BIN:-$ROOT/.venv/bin}
if [[ "$(id -u)" == "0" ]]; then SUDO=""; else SUDO="sudo"; fi

say() { echo "cluster: $*" >&2; }

wait_http() {  # url, what, seconds[, pidfile, log]: a process that exits stops the wait at once, with its log
    local deadline=$((SECONDS + $3))
    until curl -sf --max-time 5 -o /dev/null "$1"; do
        if [[ -n "${4:-}" ]] && ! kill -0 "$(cat "$4" 2>/dev/null)" 2>/dev/null; then
            say "$2 exited before it answered at $1; the end of its log ($5):"; tail -20 "$5" >&2; return 1
        fi
        if ((SECONDS > deadline)); then
            say "$2 did not answer at $1 within $3 s (log: $DIR/logs)"
            [[ -n "${5:-}" ]] && { say "the end of ${5}:"; tail -20 "$5" >&2; }
            return 1
        fi
        sleep 0.5
    done
}

stop_pid() {  # pidfile
    [[ -f "$1" ]] || return 0
    local pid
    pid=$(cat "$1")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

env_file() {  # what every worker and the sync share
    cat <<ENV
PA_CORPUS_DIR=$CORPUS
PA_INDEX_DIR=$DIR/index
PA_CHROMA_HOST=127.0.0.1
PA_CHROMA_PORT=$CHROMA_PORT
PA_DATABASE_URL=$DB_URL
PA_HOST=127.0.0.1
ENV
}

start() {
    [[ -x "$BIN/programme-assistant" ]] || { say "no $BIN/programme-assistant: run 'make test' (or make run) once"; exit 2; }
    if ! command -v haproxy >/dev/null; then
        say "installing haproxy (Debian package)"
        $SUDO apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends haproxy >&2
    fi
    mkdir -p "$DIR/logs" "$DIR/run" "$DIR/index"

    say "Chroma server on 127.0.0.1:$CHROMA_PORT"
    if [[ ! -f "$DIR/run/chroma.pid" ]] || ! kill -0 "$(cat "$DIR/run/chroma.pid")" 2>/dev/null; then
        nohup "$BIN/chroma" run --path "$DIR/chroma" --host 127.0.0.1 --port "$CHROMA_PORT" \
            >"$DIR/logs/chroma.log" 2>&1 &
        echo $! >"$DIR/run/chroma.pid"
    fi
    wait_http "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat" "the Chroma server" 60 "$DIR/run/chroma.pid" \
        "$DIR/logs/chroma.log"

    say "PostgreSQL on 127.0.0.1:$PG_PORT"
    DB_URL=$(bash scripts/postgres.sh start "$DIR/postgres" "$PG_PORT")
    env_file >"$DIR/cluster.env"

    say "syncing $CORPUS once (the workers then only read; POST /api/sync through any of them later)"
    (set -a; source "$DIR/cluster.env"; set +a; "$BIN/programme-assistant" ingest) >"$DIR/logs/sync.log" 2>&1 \
        || { say "the sync failed: $DIR/logs/sync.log"; tail -20 "$DIR/logs/sync.log" >&2; exit 1; }

    local servers_api="" servers_ui=""
    for n in $(seq 1 "$WORKERS"); do
        local port=$((WORKER_PORT + n - 1))
        say "worker $n on 127.0.0.1:$port"
        if [[ ! -f "$DIR/run/worker$n.pid" ]] || ! kill -0 "$(cat "$DIR/run/worker$n.pid")" 2>/dev/null; then
            (set -a; source "$DIR/cluster.env"; set +a; PA_PORT=$port \
                nohup "$BIN/programme-assistant" serve --no-sync >"$DIR/logs/worker$n.log" 2>&1 &
             echo $! >"$DIR/run/worker$n.pid")
        fi
        # observe: a failed connection or response marks the worker down at once, not at the next health checks
        local opts="check inter 1s fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down"
        servers_api+="    server w$n 127.0.0.1:$port $opts"$'\n'
        servers_ui+="    server w$n 127.0.0.1:$port $opts cookie w$n"$'\n'
    done
    for n in $(seq 1 "$WORKERS"); do
        wait_http "http://127.0.0.1:$((WORKER_PORT + n - 1))/api/health" "worker $n" 180 \
            "$DIR/run/worker$n.pid" "$DIR/logs/worker$n.log"
    done

    cat >"$DIR/haproxy.cfg" <<CFG
# Written by scripts/cluster.sh. The API is stateless: any worker answers any request. The Gradio UI keeps a
# session's state and event stream in one worker's memory, so a browser sticks to one (cookie PA_WORKER);
# when that worker dies the browser is sent to another and its kept conversation reloads from PostgreSQL.
global
    maxconn 2000
    # the runtime API: benchmarks/cluster.py takes a worker out of rotation and back through it
    stats socket $DIR/run/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 3s
    timeout client 300s
    timeout server 300s
    timeout tunnel 1h
    # a worker that died: the request goes to another one (every retry may change server), never a 502; a request
    # can only be retried when HAProxy holds all of it, body included, before it connects
    option http-buffer-request
    option redispatch 1
    retries 3
    retry-on conn-failure empty-response junk-response
frontend web
    bind 127.0.0.1:$PORT
    acl api path_beg /api/
    use_backend api if api
    default_backend ui
backend api
    balance leastconn
    option httpchk GET /api/health
    http-check expect status 200
$servers_api
backend ui
    balance roundrobin
    cookie PA_WORKER insert indirect nocache httponly
    option httpchk GET /api/health
    http-check expect status 200
$servers_ui
CFG
    haproxy -c -q -f "$DIR/haproxy.cfg"
    stop_pid "$DIR/run/haproxy.pid"
    haproxy -D -p "$DIR/run/haproxy.pid" -f "$DIR/haproxy.cfg"
    wait_http "http://127.0.0.1:$PORT/api/health" "the balancer" 30
    echo "programme-assistant cluster is ready: http://127.0.0.1:$PORT"
    echo "  $WORKERS workers ($(seq -s ', ' "$WORKER_PORT" $((WORKER_PORT + WORKERS - 1)))), Chroma :$CHROMA_PORT," \
         "PostgreSQL :$PG_PORT, state and logs in $DIR; stop with: make cluster-stop"
}

stop() {
    stop_pid "$DIR/run/haproxy.pid"
    for f in "$DIR"/run/worker*.pid; do [[ -e "$f" ]] && stop_pid "$f"; done
    stop_pid "$DIR/run/chroma.pid"
    bash scripts/postgres.sh stop "$DIR/postgres"
    say "stopped (state kept in $DIR; delete it to start afresh)"
}

status() {
    for f in "$DIR"/run/*.pid; do
        [[ -e "$f" ]] || continue
        if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid): running"; else echo "$(basename "$f" .pid): dead"; fi
    done
    curl -s --max-time 5 "http://127.0.0.1:$PORT/api/health" && echo
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*) echo "usage: scripts/cluster.sh start|stop|status" >&2; exit 2 ;;
esac
