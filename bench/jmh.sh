#!/usr/bin/env bash
# JMH benchmarks (bench/src/main/java: LocalVerifyBenchmark). Usage: bench/jmh.sh [JMH options], e.g. bench/jmh.sh LocalVerify
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
./mvnw -B -q -DskipTests install
cp=$(./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
exec "$JAVA_HOME/bin/java" -cp "bench/target/classes:$cp" org.openjdk.jmh.Main "${@:-LocalVerify}"
