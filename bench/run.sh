#!/usr/bin/env bash
# Runs the benchmarks of DESIGN.md §5 on the embedded default and prints each figure with its baseline.
# Usage: bench/run.sh [commands=30000] [accounts=3000] [all|throughput|verify|leaks|state|activity|mac|propagation|enforcement|records|commands|latency|million|replay|scale|scale-quick|audit|creep|scaleout|usage]. Needs wrk for the HTTP figure (apt-get install wrk).
#        bench/run.sh 20000 2000 scale        issue 25's figures in one run (10 min on the 2-core machine; ends with creep); scale-quick: the same, smaller, without creep (under 3 min)
#        bench/run.sh 0 0 usage               verification throughput with usage counting off and on, alternated (issue 27)
#        bench/run.sh 0 0 creep               RSS over a warm-up and three rounds of mixed load on ./credledger serve (bench/rss-rounds.py)
#        bench/run.sh jmh [JMH options]   the JMH benchmarks (LocalVerifyBenchmark), e.g. bench/run.sh jmh LocalVerify
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
./mvnw -B -q -DskipTests install
cp=$(./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
if [ "${1:-}" = "jmh" ]; then
  shift
  exec "$JAVA_HOME/bin/java" -cp "bench/target/classes:$cp" org.openjdk.jmh.Main "${@:-LocalVerify}"
fi
if [ "${3:-}" = "creep" ]; then
  exec python3 bench/rss-rounds.py 3
fi
# The memory figures are taken under the launcher's heap bound and flags (./credledger); the others have room to spare.
case "${3:-}" in scale*|million) heap="512m -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10" ;; *) heap=2g ;; esac
if [ "${3:-}" = "scale" ]; then
  # The creep rounds run the ledger as a user starts it (./credledger serve), after the in-process figures.
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx$heap ${BENCH_OPTS:-} \
    -Dlogback.configurationFile="$root/bench/logback.xml" \
    -cp "bench/target/classes:$cp" dev.credledger.bench.Benchmarks "$@"
  echo "==== RSS over rounds of mixed load (bench/rss-rounds.py 3) ===="
  exec python3 bench/rss-rounds.py 3
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx$heap ${BENCH_OPTS:-} \
  -Dlogback.configurationFile="$root/bench/logback.xml" \
  -cp "bench/target/classes:$cp" dev.credledger.bench.Benchmarks "$@"
