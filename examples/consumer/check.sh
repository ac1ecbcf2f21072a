#!/usr/bin/env bash
# Builds this consumer project against the installed org.mlp4j:mlp4j (mvn install in the project root
# first), checks that its class path holds no class twice, and runs it on the CPU backend.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp="target/classes:$(cat target/classpath.txt)"
duplicates=$(for jar in $(tr ':' ' ' < target/classpath.txt); do
  unzip -Z1 "$jar" | grep '\.class$' | grep -v -e '^META-INF/' -e 'module-info\.class$'
done | sort | uniq -d)
if [ -n "$duplicates" ]; then
  echo "consumer: classes on its class path twice:" >&2; echo "$duplicates" | head >&2; exit 1
fi
echo "consumer: $(tr ':' '\n' < target/classpath.txt | wc -l) jars on its class path, no class twice"
java --add-modules jdk.incubator.vector -cp "$cp" example.Xor 2>&1 | grep -v '^WARNING: Using incubator'
