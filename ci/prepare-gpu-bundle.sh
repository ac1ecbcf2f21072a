#!/usr/bin/env bash
# Builds everything the GPU test machine needs into .device/ (git-ignored): a JRE, mlp4j-all.jar, the test
# classes, the JUnit console launcher, with JMH=1 the benchmark jar, bench/ab's EpochParts, Evaluation, LayerOps,
# train_steps' timeline and the cluster's, and MNIST. Run from the project
# root on the build machine, then run ci/gpu-check.sh there (see README, "GPU check"). With BASELINE=<commit> it
# adds that commit's jar (.device/baseline.jar), which ci/gpu-check.sh then times against this build's, by turns.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
# MNIST into data/mnist, where prepare.sh takes it from: train fetches it when missing, and one epoch of a
# one-unit network on the CPU is the shortest run that does
if [ ! -f data/mnist/train-images-idx3-ubyte ] && [ ! -f data/mnist/train-images-idx3-ubyte.gz ]; then
  run=$(mktemp -d)
  ./mlp4j train --device cpu --hidden 1 --epochs 1 --out "$run/run" >/dev/null
  rm -rf "$run"
fi
mvn -q -B -DskipTests install
mvn -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 -DoutputDirectory=target/junit
jars=($(ls -t target/mlp4j-*-all.jar | head -n 1) target/mlp4j-tests.jar target/junit/junit-platform-console-standalone-1.14.1.jar)
# the JMH jar only for a check that runs it (JMH=1 there too): it is an eighth of what a device call may carry
if [ "${JMH:-0}" = 1 ]; then
  mvn -q -B -f bench/pom.xml package
  jars+=(bench/target/benchmarks.jar)
fi
prepare=${PREPARE:-../shared/gpu-machine/prepare.sh}
MNIST_DIR=data/mnist bash "$prepare" "${jars[@]}"
mv .device/mlp4j-*-all.jar .device/mlp4j-all.jar  # the name ci/gpu-check.sh uses, whatever the version
# the GPU machine has no network to fetch MNIST from
[ "$(ls .device/data/*.gz 2>/dev/null | wc -l)" = 4 ] || { echo "prepare-gpu-bundle: .device/data lacks MNIST's four files" >&2; exit 1; }
# prepare.sh's JRE lacks jdk.incubator.vector (the CPU backend's fast kernels, and JMH's forks ask for it):
# link one with it, same modules otherwise
jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
tmp=$(mktemp -d)
"$jdk/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.xml,jdk.unsupported,jdk.zipfs,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --output "$tmp/jre"
tar czf .device/jre.tgz -C "$tmp" jre
rm -rf "$tmp"
# the parts of an epoch, the evaluation in two sizes of chunk, a step's ops and the OpenCL driver's PTX (bench/ab/EpochParts.java,
# Evaluation.java, LayerOps.java, OpenClPtx.java), compiled: the JRE has no compiler; and train_steps' timeline (bench/ab/train_steps_timeline.cu),
# with and without the tiles' products, from compute_80 PTX as the backend loads train_steps on the H200
rm -rf .device/ab && javac -cp .device/mlp4j-all.jar -d .device/ab bench/ab/EpochParts.java bench/ab/Evaluation.java bench/ab/LayerOps.java \
  bench/ab/OpenClPtx.java
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
"$nvcc" -std=c++17 -O3 -arch=compute_80 -I kernels -o .device/train-steps-timeline bench/ab/train_steps_timeline.cu
"$nvcc" -std=c++17 -O3 -arch=compute_80 -I kernels -DSTEP_PRODUCTS=0 -o .device/train-steps-timeline-no-products bench/ab/train_steps_timeline.cu
# issue 24's other design, the book's step as one thread block cluster (bench/ab/cluster_steps_timeline.cu): clusters need sm_90
"$nvcc" -std=c++17 -O3 -arch=sm_90 -I kernels -o .device/cluster-steps-timeline bench/ab/cluster_steps_timeline.cu
# and a block of steps on one cluster with the first layer's updates deferred (bench/ab/deferred_steps_timeline.cu)
"$nvcc" -std=c++17 -O3 -arch=sm_90 -I kernels -o .device/deferred-steps-timeline bench/ab/deferred_steps_timeline.cu
if [ -n "${BASELINE:-}" ]; then
  base=$(mktemp -d)
  git worktree add -q --detach "$base" "$BASELINE"
  (cd "$base" && mvn -q -B -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip package)
  cp "$(ls -t "$base"/target/mlp4j-*-all.jar | head -n 1)" .device/baseline.jar
  git -C "$base" rev-parse --short HEAD > .device/BASELINE
  git worktree remove --force "$base"
fi
# the device tool sends the working tree (tracked files and untracked ones git does not ignore) with the carried
# .device/, 64 MiB at most: refuse here a bundle it would refuse there
travel=$( { git ls-files -z -co --exclude-standard; find .device -type f -print0; } | (du -cb --files0-from=- 2>/dev/null || true) | tail -n 1 | cut -f1)
echo "prepare-gpu-bundle: .device/ and the working tree come to $((travel >> 20)) MiB of the 64 MiB a device call carries"
[ "$travel" -le $((64 << 20)) ] || { echo "prepare-gpu-bundle: over 64 MiB; the device tool would refuse it" >&2; exit 1; }
