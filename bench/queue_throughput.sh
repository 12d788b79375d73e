#!/usr/bin/env bash
# Batched HTTP ingest into the file sink with the memory queue and with the disk queue
# (fsync "interval" and "always"), measured in one run on this machine.
# Usage: bench/queue_throughput.sh [EVENTS] [BATCH] [CONNECTIONS]   (defaults 500000 100 8)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-500000}
BATCH=${2:-100}
CONNS=${3:-8}
WORK=$(mktemp -d /tmp/tributary-bench.XXXXXX)
if ! make build PRESET=release >"$WORK/build.log" 2>&1; then cat "$WORK/build.log"; exit 1; fi
BIN=build/release/tributary
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

# ~300-byte CloudEvents, one per line.
python3 - "$WORK/events.ndjson" "$EVENTS" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        f.write('{"specversion":"1.0","id":"%d","source":"/bench/camera-7","type":"vision.detection",'
                '"time":"2026-11-23T08:00:00Z","data":{"label":"person","score":0.97,"box":[12,40,220,380],'
                '"frame":%d,"note":"%s"}}\n' % (i, i, "x" * 80))
PY

run_case() {  # name queue_type fsync
  local name=$1 queue=$2 fsync=$3 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf "$WORK/data" "$WORK/out"
  cat > "$WORK/$name.toml" <<TOML
[storage]
data_dir = "$WORK/data"
fsync = "$fsync"
[sources.in]
type = "http"
address = "127.0.0.1:$port"
[sinks.files]
type = "file"
directory = "$WORK/out"
[sinks.files.queue]
type = "$queue"
max_events = 10000000
max_bytes = "4GiB"
TOML
  $BIN run -c "$WORK/$name.toml" >"$WORK/$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
  local line
  line=$($BIN send --url "http://127.0.0.1:$port/v1/events" --batch "$BATCH" --concurrency "$CONNS" \
           "$WORK/events.ndjson" 2>&1 | tail -1)
  kill -TERM $PID; wait $PID || true
  local delivered
  delivered=$(cat "$WORK"/out/*/*/*/*/*.ndjson | wc -l)
  printf '%-26s %s | delivered %s\n' "$name" "$(sed 's/^send: //' <<<"$line")" "$delivered"
}

echo "$EVENTS events of ~300 bytes, $BATCH per request, $CONNS connections, $(nproc) cores"
run_case "memory queue" memory interval
run_case "disk queue, fsync=interval" disk interval
run_case "disk queue, fsync=always" disk always
