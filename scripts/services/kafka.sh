#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft mode) on loopback, for the Kafka tests.
#
#   kafka.sh start DIR                 format storage under DIR, start, wait until it answers;
#                                      prints the bootstrap address (also in DIR/bootstrap)
#   kafka.sh topic DIR NAME PARTITIONS create a topic
#   kafka.sh stop DIR                  stop the broker (TERM, then KILL) and remove DIR
#
# The broker's jars come from Maven Central (tests/services/kafka/pom.xml) and are cached
# under ~/.cache/tributary/kafka-<version>/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pom="$here/../../tests/services/kafka/pom.xml"
version=$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$pom")
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tributary/kafka-$version"

die() {
  echo "kafka.sh: $*" >&2
  exit 1
}

need_tools() {
  command -v java >/dev/null || die "Java is missing: the Kafka tests run a real broker; install a JDK 17+ (apt-get install openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die "Maven is missing: it fetches the Kafka broker from Maven Central; install it (apt-get install maven)"
}

fetch() {
  [ -f "$cache/complete" ] && return
  echo "kafka.sh: fetching Kafka $version from Maven Central into $cache" >&2
  rm -rf "$cache/libs"
  mkdir -p "$cache"
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$cache/libs" >&2 || die "could not fetch Kafka $version with Maven (see above)"
  touch "$cache/complete"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

java_run() {
  java -Xms128m -Xmx512m -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$cache/libs/*" "$@"
}

start() {
  need_tools
  fetch
  mkdir -p "$dir"
  local port controller
  port=$(free_port)
  controller=$(free_port)
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  cat >"$dir/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
  java_run kafka.tools.StorageTool format -t "$(java_run kafka.tools.StorageTool random-uuid)" \
    -c "$dir/server.properties" >"$dir/format.log" 2>&1 || die "formatting storage failed: $(cat "$dir/format.log")"
  java_run kafka.Kafka "$dir/server.properties" >"$dir/broker.log" 2>&1 &
  echo $! >"$dir/pid"
  echo "127.0.0.1:$port" >"$dir/bootstrap"
  # Up when the admin API lists topics, not merely when the port accepts.
  for _ in $(seq 1 120); do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      die "the broker exited during start-up: $(tail -20 "$dir/broker.log")"
    fi
    if java_run org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" --list \
      >/dev/null 2>&1; then
      cat "$dir/bootstrap"
      return
    fi
    sleep 0.5
  done
  stop
  die "the broker did not answer within 60 s"
}

topic() {
  java_run org.apache.kafka.tools.TopicCommand --bootstrap-server "$(cat "$dir/bootstrap")" \
    --create --topic "$1" --partitions "$2" --replication-factor 1 >/dev/null
}

stop() {
  if [ -f "$dir/pid" ]; then
    local pid
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

[ $# -ge 2 ] || die "usage: kafka.sh start|topic|stop DIR [ARGS]"
command=$1
dir=$2
shift 2
case "$command" in
  start) start ;;
  topic) topic "$@" ;;
  stop) stop ;;
  *) die "unknown command $command (start, topic or stop)" ;;
esac
