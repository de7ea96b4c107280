#!/usr/bin/env bash
# Creates credledger's topics with replication 3 and min.insync.replicas 2; safe to run again.
# The names and retention match dev.credledger.processors.topology.Topics (checked by DockerDeploymentTest).
set -euo pipefail
: "${BOOTSTRAP:?}" "${PARTITIONS:=6}"
create() {
  local topic=$1 partitions=$2; shift 2
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic" \
    --partitions "$partitions" --replication-factor 3 --config min.insync.replicas=2 "$@"
}
create credential-commands        "$PARTITIONS" --config retention.ms=604800000
create credential-events          "$PARTITIONS" --config retention.ms=-1 --config retention.bytes=-1
create credential-audit           "$PARTITIONS" --config retention.ms=-1 --config retention.bytes=-1
create credential-audit-checkpoints "$PARTITIONS" --config retention.ms=-1 --config retention.bytes=-1
create credential-command-results "$PARTITIONS" --config retention.ms=86400000
create credential-revocations     "$PARTITIONS" --config retention.ms=2592000000
create credential-revocations-early "$PARTITIONS" --config retention.ms=2592000000
create credential-token-lookup    "$PARTITIONS" --config cleanup.policy=compact
create credential-allow-lists     "$PARTITIONS" --config cleanup.policy=compact
create credential-commands-dlq    1             --config retention.ms=2592000000
create credential-data-keys       "$PARTITIONS" --config cleanup.policy=compact --config segment.ms=3600000 --config max.compaction.lag.ms=3600000 --config min.cleanable.dirty.ratio=0.01 --config delete.retention.ms=86400000
create credential-signing-salts   "$PARTITIONS" --config cleanup.policy=compact
create credential-usage          "$PARTITIONS" --config cleanup.policy=compact
create credential-verifications  "$PARTITIONS" --config retention.ms=604800000
create credential-delivery-targets "$PARTITIONS" --config cleanup.policy=compact
create credential-delivery-state "$PARTITIONS" --config cleanup.policy=compact
create credential-enforcement-acks "$PARTITIONS" --config retention.ms=2592000000 --config message.timestamp.type=LogAppendTime
create _schemas                   1             --config cleanup.policy=compact
echo "credledger topics are in place"
