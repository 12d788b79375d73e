#!/usr/bin/env bash
# Installs Tributary into a temporary prefix, builds examples/collector_queue as a project
# of its own against it (find_package(Tributary)), and runs the example.
#   consumer_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/tributary/collector_queue.h"
test -f "$tmp/prefix/lib/cmake/Tributary/TributaryConfig.cmake"
# Outside the source tree, so only the installed headers can be found.
cp -r "$source_dir/examples/collector_queue" "$tmp/example"
cmake -S "$tmp/example" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/sensor_collectors" "$tmp/sensors.db" | tee "$tmp/out"
grep -q "attic/temperature -> alerts: ALERT attic is at 34.2 C" "$tmp/out"
grep -q "archived 5 readings" "$tmp/out"
echo "consumer_test: the installed package builds and runs the example"
