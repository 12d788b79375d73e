#!/usr/bin/env bash
# Delivery through the http sink: collector A (memory queue, http sink) delivers to
# collector B (blackhole), both on loopback. Each case prints how fast the events reach B,
# from the first event sent to A until B counted the last.
# Usage: bench/http_delivery.sh [EVENTS] [SINGLE_EVENTS]   (defaults 300000 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-300000}
SINGLE=${2:-20000}
WORK=$(mktemp -d /tmp/tributary-bench.XXXXXX)
if ! make build PRESET=release >"$WORK/build.log" 2>&1; then cat "$WORK/build.log"; exit 1; fi
BIN=build/release/tributary
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_healthy() {
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.05; done
  echo "collector on port $1 did not start" >&2
  exit 1
}
received() {  # events B has taken into its blackhole
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^tributary_sink_sent_events_total\{sink="null"\}/ {print $2}'
}

python3 - "$WORK/events.ndjson" "$EVENTS" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        f.write('{"specversion":"1.0","id":"%d","source":"/bench/camera-7","type":"vision.detection",'
                '"time":"2026-11-23T08:00:00Z","data":{"label":"person","score":0.97,"box":[12,40,220,380],'
                '"frame":%d,"note":"%s"}}\n' % (i, i, "x" * 80))
PY
head -n "$SINGLE" "$WORK/events.ndjson" >"$WORK/single.ndjson"

run_case() {  # name file encoding compression concurrency
  local name=$1 file=$2 encoding=$3 compression=$4 concurrency=$5
  local pb pa n
  n=$(wc -l <"$file")
  pb=$(free_port)
  cat >"$WORK/b.toml" <<TOML
[sources.in]
type = "http"
address = "127.0.0.1:$pb"
max_body_bytes = "64MiB"
[sinks.null]
type = "blackhole"
[sinks.null.queue]
max_events = 10000000
max_bytes = "4GiB"
TOML
  $BIN run -c "$WORK/b.toml" >"$WORK/b.log" 2>&1 &
  PIDS+=($!)
  local pid_b=$!
  pa=$(free_port)
  cat >"$WORK/a.toml" <<TOML
[sources.in]
type = "http"
address = "127.0.0.1:$pa"
[sinks.api]
type = "http"
url = "http://127.0.0.1:$pb/v1/events"
encoding = "$encoding"
compression = "$compression"
concurrency = $concurrency
[sinks.api.batch]
max_age = "50ms"
[sinks.api.queue]
max_events = 10000000
max_bytes = "4GiB"
TOML
  $BIN run -c "$WORK/a.toml" >"$WORK/a.log" 2>&1 &
  PIDS+=($!)
  local pid_a=$!
  wait_healthy "$pb"
  wait_healthy "$pa"
  local start end got=0
  start=$(date +%s.%N)
  $BIN send --url "http://127.0.0.1:$pa/v1/events" --batch 100 --concurrency 4 "$file" >/dev/null 2>&1
  for _ in $(seq 6000); do
    got=$(received "$pb")
    [ "${got:-0}" -ge "$n" ] && break
    sleep 0.01
  done
  end=$(date +%s.%N)
  kill -TERM "$pid_a" "$pid_b"
  wait "$pid_a" "$pid_b" || true
  python3 -c "import sys; n,got,s,e=int(sys.argv[1]),int(sys.argv[2] or 0),float(sys.argv[3]),float(sys.argv[4]); \
print('%-44s %8d of %8d delivered in %6.2f s: %9.0f events/s' % (sys.argv[5], got, n, e-s, got/(e-s)))" \
    "$n" "${got:-0}" "$start" "$end" "$name"
}

echo "http sink delivery, loopback, $(nproc) cores (A: memory queue -> http sink -> B: blackhole)"
run_case "cloudevents-batch, gzip, concurrency 1" "$WORK/events.ndjson" cloudevents-batch gzip 1
run_case "cloudevents-batch, gzip, concurrency 4" "$WORK/events.ndjson" cloudevents-batch gzip 4
run_case "cloudevents-batch, none, concurrency 1" "$WORK/events.ndjson" cloudevents-batch none 1
run_case "cloudevents (one per request), concurrency 1" "$WORK/single.ndjson" cloudevents none 1
run_case "cloudevents (one per request), concurrency 4" "$WORK/single.ndjson" cloudevents none 4
run_case "cloudevents-binary, concurrency 4" "$WORK/single.ndjson" cloudevents-binary none 4
