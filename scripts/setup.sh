#!/usr/bin/env bash
# Installs every system package Tributary's build, tests and benchmarks need.
# Idempotent: quiet when everything is present. Works as root or through sudo.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config curl ca-certificates
  libboost1.81-dev            # Asio + Beast (header-only in 1.81)
  libsimdjson-dev             # JSON parsing
  libtomlplusplus-dev         # config
  libspdlog-dev libfmt-dev    # logs
  libcli11-dev                # command line
  zlib1g-dev libzstd-dev      # gzip / zstd
  libcurl4-openssl-dev        # http sink (opened at run time; headers to build)
  libsqlite3-dev              # collector queue example
  librdkafka-dev              # kafka source and sink (opened at run time; headers to build)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  wrk nginx-light             # benchmarks: load generator, and the HTTP ceiling
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo -n)
else
  echo "setup.sh: missing packages (${missing[*]}) and not root; install them or run as root" >&2
  exit 1
fi

echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup.sh: done"
