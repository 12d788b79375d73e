#!/usr/bin/env bash
# The long crash test: hundreds of kill -9 under concurrent load, then checks that every
# acknowledged event is in the output. Usage: tests/soak/crash_soak.sh [KILLS] (default 300).
set -euo pipefail
cd "$(dirname "$0")/../.."
make build >/dev/null
TRIBUTARY_CRASH_KILLS="${1:-300}" build/dev/tests/integration_tests \
  --gtest_filter='Durability.EveryAcknowledgedEventSurvivesKillNine'
