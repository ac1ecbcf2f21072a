#!/usr/bin/env bash
# Builds this modular application against the installed org.mlp4j:mlp4j (mvn install in the project root first)
# and runs it as a module as the README says: mlp4j on the module path, its dependencies on the class path, the
# modules jdk.incubator.vector and jdk.unsupported added (LWJGL before JDK 25 reads memory through the latter).
# It must train on the cpu and on OpenCL (the JDK's libjsig preloaded, as for any OpenCL run).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
library=$(tr ':' '\n' < target/classpath.txt | grep '/mlp4j-[^/]*\.jar$')
others=$(tr ':' '\n' < target/classpath.txt | grep -v '/mlp4j-[^/]*\.jar$' | paste -sd:)
home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
for device in cpu opencl; do
  LD_PRELOAD=$home/lib/libjsig.so java --add-modules jdk.incubator.vector,jdk.unsupported -p "target/classes:$library" -cp "$others" \
    -m example.modular/example.modular.Train "$device" 2>&1 | grep -v '^WARNING: Using incubator'
done
