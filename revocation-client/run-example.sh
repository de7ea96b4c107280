#!/usr/bin/env bash
# Runs the example service (src/test/java/dev/credledger/client/example/GuardedService.java) against a running ledger.
# Usage: revocation-client/run-example.sh [bootstrap=127.0.0.1:9092] [registry=http://127.0.0.1:8081] [port=8090] [sandbox|live]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
./mvnw -B -q -DskipTests install -pl revocation-client -am
cp=$(./mvnw -B -q -pl revocation-client dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
exec "$JAVA_HOME/bin/java" -cp "revocation-client/target/test-classes:revocation-client/target/classes:$cp" \
  dev.credledger.client.example.GuardedService "${1:-127.0.0.1:9092}" "${2:-http://127.0.0.1:8081}" "${3:-8090}" "${4:-sandbox}"
