#!/bin/bash
# Alternates two builds of the benchmarks jar on BatchPathTimer, A B A B ..., one JVM each:
#   bench/batchpath-ab.sh A.jar B.jar POLICY [pairs=3] [seconds=4] [migration-table=2000000]
# (for multi-frame claims off vs on within one build and one JVM: BatchPathTimer POLICY SECONDS 2000000 CORES 16 ab)
A=$1; B=$2; P=$3; N=${4:-3}; S=${5:-4}; M=${6:-2000000}
J=${JAVA:-$(CALISTO_PRINT_JAVA=1 "$(dirname "$0")/../calisto")}
run() { "$J" --add-opens java.base/jdk.internal.misc=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx1g -cp "$1" io.calisto.bench.BatchPathTimer "$P" "$S" "$M" 2>/dev/null | grep RESULT; }
for i in $(seq "$N"); do echo "A $(basename "$A") $(run "$A")"; echo "B $(basename "$B") $(run "$B")"; done
