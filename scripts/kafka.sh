#!/usr/bin/env bash
# A real Apache Kafka broker for tests and local runs, without Docker.
#
#   bash scripts/kafka.sh start [--clean]   fetch jars (once), format KRaft storage, start, wait ready
#   bash scripts/kafka.sh stop              SIGTERM, wait, then SIGKILL
#   bash scripts/kafka.sh status            prints running/stopped, exit 0/1
#
# The broker jars come from Maven Central through Maven (a generated pom + copy-dependencies)
# and are cached, so only the first start downloads. One combined broker+controller (KRaft,
# node id 1) listens on:
#   PLAINTEXT       127.0.0.1:$FRAUDSTREAM_KAFKA_PORT            (default 9092)
#   SASL_PLAINTEXT  127.0.0.1:$FRAUDSTREAM_KAFKA_SASL_PORT       (default 9093; PLAIN + SCRAM users below)
#   CONTROLLER      127.0.0.1:$FRAUDSTREAM_KAFKA_CONTROLLER_PORT (default 9094)
#   SASL_SSL        127.0.0.1:$FRAUDSTREAM_KAFKA_SSL_PORT        (default 9095; same users, self-signed
#                   certificate for 127.0.0.1 whose PEM is $FRAUDSTREAM_KAFKA_DATA/tls/ca.pem)
# Topic auto-creation is off, as on most managed clusters: create topics explicitly.
#
# Environment (all optional):
#   FRAUDSTREAM_KAFKA_VERSION     kafka_2.13 version from Maven Central (default below)
#   FRAUDSTREAM_KAFKA_CACHE       jar cache dir (default ~/.cache/fraudstream/kafka-<version>)
#   FRAUDSTREAM_KAFKA_DATA        data dir: storage, config, pid and log file (default ./data/kafka)
#   FRAUDSTREAM_KAFKA_START_TIMEOUT seconds to wait for the broker to answer metadata (default 120)
#   FRAUDSTREAM_KAFKA_HEAP        JVM heap options (default "-Xms256m -Xmx768m")
set -euo pipefail

KAFKA_VERSION="${FRAUDSTREAM_KAFKA_VERSION:-4.4.0}"
LOG4J_VERSION="2.25.5"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
CACHE_DIR="${FRAUDSTREAM_KAFKA_CACHE:-$HOME/.cache/fraudstream/kafka-$KAFKA_VERSION}"
DATA_DIR="${FRAUDSTREAM_KAFKA_DATA:-$REPO_DIR/data/kafka}"
PORT="${FRAUDSTREAM_KAFKA_PORT:-9092}"
SASL_PORT="${FRAUDSTREAM_KAFKA_SASL_PORT:-9093}"
CONTROLLER_PORT="${FRAUDSTREAM_KAFKA_CONTROLLER_PORT:-9094}"
SSL_PORT="${FRAUDSTREAM_KAFKA_SSL_PORT:-9095}"
START_TIMEOUT="${FRAUDSTREAM_KAFKA_START_TIMEOUT:-120}"
HEAP_OPTS="${FRAUDSTREAM_KAFKA_HEAP:--Xms256m -Xmx768m}"
# Users of the SASL listener (tests use them; change them for anything exposed).
SASL_USER="${FRAUDSTREAM_KAFKA_SASL_USER:-fraudstream}"
SASL_PASSWORD="${FRAUDSTREAM_KAFKA_SASL_PASSWORD:-fraudstream-secret}"

PID_FILE="$DATA_DIR/kafka.pid"
LOG_FILE="$DATA_DIR/kafka.out"
CONFIG_FILE="$DATA_DIR/server.properties"
STORAGE_DIR="$DATA_DIR/storage"
TLS_DIR="$DATA_DIR/tls"

if [ -d /opt/node24/bin ]; then PATH="/opt/node24/bin:$PATH"; fi

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_running() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file whose pid now belongs to another process does not count.
  if [ -r "/proc/$pid/cmdline" ]; then tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka'; fi
}

fetch_jars() {
  if [ -f "$CACHE_DIR/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the broker jars"
  log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime deps into $CACHE_DIR"
  rm -rf "$CACHE_DIR"
  mkdir -p "$CACHE_DIR/libs"
  # Kafka 4 logs through slf4j 1.7 → log4j2; the binding and log4j-core are not transitive deps.
  cat >"$CACHE_DIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>fraudstream</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  (cd "$CACHE_DIR" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=libs) \
    || die "mvn could not fetch the broker jars (see output above)"
  touch "$CACHE_DIR/.complete"
}

# A self-signed certificate for 127.0.0.1 (the seed-000 SASL_SSL setup, testable locally).
write_certificate() {
  if [ -f "$TLS_DIR/broker.pem" ]; then return 0; fi
  if ! command -v openssl >/dev/null; then
    log "warning: no openssl, so no SASL_SSL listener"
    return 1
  fi
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/ca.pem" >/dev/null 2>&1 || die "openssl could not create a certificate"
  cat "$TLS_DIR/key.pem" "$TLS_DIR/ca.pem" >"$TLS_DIR/broker.pem"
}

write_config() {
  mkdir -p "$DATA_DIR"
  local ssl_listener="" ssl_advertised="" ssl_config=""
  if write_certificate; then
    ssl_listener=",SASL_SSL://127.0.0.1:$SSL_PORT"
    ssl_advertised=",SASL_SSL://127.0.0.1:$SSL_PORT"
    ssl_config="listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER=\"$SASL_PASSWORD\";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$TLS_DIR/broker.pem"
  fi
  cat >"$CONFIG_FILE" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT${ssl_listener},CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT${ssl_advertised}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
$ssl_config
log.dirs=$STORAGE_DIR
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# transactions abandoned by a killed producer are aborted soon after their timeout
transaction.abort.timed.out.transaction.cleanup.interval.ms=10000
EOF
  cat >"$DATA_DIR/log4j2.properties" <<EOF
status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = $DATA_DIR/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

java_cmd() {
  # shellcheck disable=SC2086
  java $HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DATA_DIR/log4j2.properties" \
    -cp "$CACHE_DIR/libs/*" "$@"
}

format_storage() {
  if [ -f "$STORAGE_DIR/meta.properties" ]; then return 0; fi
  log "formatting KRaft storage in $STORAGE_DIR"
  java_cmd kafka.tools.StorageTool format --standalone \
    --config "$CONFIG_FILE" --cluster-id "$(java_cmd kafka.tools.StorageTool random-uuid)" \
    --add-scram "SCRAM-SHA-256=[name=\"$SASL_USER\",password=\"$SASL_PASSWORD\"]" \
    --add-scram "SCRAM-SHA-512=[name=\"$SASL_USER\",password=\"$SASL_PASSWORD\"]" \
    >>"$LOG_FILE" 2>&1 || { tail -20 "$LOG_FILE" >&2; die "storage format failed (log: $LOG_FILE)"; }
}

wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT))
  local pid
  pid="$(cat "$PID_FILE")"
  while ((SECONDS < deadline)); do
    # The pid just started: only its death counts (is_running's cmdline check would fail in the
    # moment before the forked shell has exec'd java, which a loaded machine makes long).
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -30 "$LOG_FILE" >&2 || true
      tail -30 "$DATA_DIR/server.log" >&2 2>/dev/null || true
      die "broker exited during start (log: $LOG_FILE, $DATA_DIR/server.log)"
    fi
    if node "$SCRIPT_DIR/kafka/ready.ts" "127.0.0.1:$PORT" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  die "broker did not answer a metadata request within ${START_TIMEOUT}s (log: $DATA_DIR/server.log)"
}

start() {
  local clean=0
  [ "${1:-}" = "--clean" ] && clean=1
  if is_running; then
    log "already running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PORT"
    return 0
  fi
  command -v java >/dev/null || die "java (17+) is needed to run the broker"
  command -v node >/dev/null || die "node is needed to check the broker is ready"
  local t0=$SECONDS
  fetch_jars
  if ((clean)); then rm -rf "$DATA_DIR"; fi
  write_config
  format_storage
  log "starting broker $KAFKA_VERSION (data $DATA_DIR)"
  # setsid: the broker must outlive the shell (and CI step) that started it. setsid and nohup
  # exec in place, so $! is the JVM's pid.
  # shellcheck disable=SC2086
  setsid nohup java $HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DATA_DIR/log4j2.properties" \
    -cp "$CACHE_DIR/libs/*" kafka.Kafka "$CONFIG_FILE" >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  wait_ready
  log "ready on 127.0.0.1:$PORT (SASL on $SASL_PORT, SASL_SSL on $SSL_PORT) after $((SECONDS - t0))s, pid $(cat "$PID_FILE")"
}

stop() {
  if ! is_running; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after 30s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

status() {
  if is_running; then
    echo "running (pid $(cat "$PID_FILE"), 127.0.0.1:$PORT)"
    return 0
  fi
  echo "stopped"
  return 1
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start [--clean] | stop | status" ;;
esac
