#!/usr/bin/env bash
# Runs the Kafka tests against a real broker: starts one on loopback
# (scripts/services/kafka.sh), runs the test binary with its address in
# TRIBUTARY_KAFKA_BOOTSTRAP, and stops the broker however the tests end.
#
#   run.sh KAFKA_TESTS_BINARY [gtest flags]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kafka="$here/../../scripts/services/kafka.sh"
binary=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/tributary-kafka-XXXXXX")
trap 'bash "$kafka" stop "$dir"' EXIT
TRIBUTARY_KAFKA_BOOTSTRAP=$(bash "$kafka" start "$dir")
export TRIBUTARY_KAFKA_BOOTSTRAP
"$binary" "$@"
