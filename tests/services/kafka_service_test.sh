#!/usr/bin/env bash
# The Kafka test broker starts, takes a topic and stops, also when a step fails.
set -euo pipefail
script="$(cd "$(dirname "$0")/../.." && pwd)/scripts/services/kafka.sh"
dir=$(mktemp -d)/kafka
trap 'bash "$script" stop "$dir"' EXIT
bootstrap=$(bash "$script" start "$dir")
echo "broker at $bootstrap"
bash "$script" topic "$dir" events 4
pid=$(cat "$dir/pid")
bash "$script" stop "$dir"
if kill -0 "$pid" 2>/dev/null; then
  echo "the broker is still running after stop" >&2
  exit 1
fi
echo "kafka_service_test: started, created a topic, stopped"
