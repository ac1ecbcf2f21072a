#!/usr/bin/env bash
# Runs ci/gpu-check.sh where there is no GPU, as a rehearsal before a GPU session: with the test stand-ins
# for the NVIDIA driver and a cuBLAS 13 (src/test/cuda/, the real kernels on the CPU; cuBLAS reached through
# the libcublas.so.12 compat library, as on the GPU test machine) and OpenCL on PoCL. It proves the script
# and the host code on its paths, never the GPU; its timings mean nothing (about 40 minutes on 2 cores,
# mostly the 200 epochs). Needs g++ (src/test/cuda/build-stand-ins.sh) and the bundle from
# ci/prepare-gpu-bundle.sh; writes under $OUT (default runs/gpu-rehearsal). Any "fake libcuda:" line in
# the log is something a GPU would refuse.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
[ -f .device/mlp4j-all.jar ] || { echo "no .device/ bundle: run ci/prepare-gpu-bundle.sh first" >&2; exit 2; }
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
bash src/test/cuda/build-stand-ins.sh "$fake"
# the stand-in driver runs this tree's kernels, whose signatures the baseline's launches may not match (a GPU runs
# each jar's own PTX): where the CUDA kernels differ from the baseline's, its turns are left out here
if [ -f .device/baseline.jar ] && ! git diff --quiet "$(cat .device/BASELINE)" HEAD -- 'kernels/*.cu' 'kernels/*.cuh' 2>/dev/null; then
  echo "the CUDA kernels changed since the baseline $(cat .device/BASELINE): its turns are left out of this rehearsal"
  mv .device/baseline.jar "$fake/baseline.jar"
  trap 'mv "$fake/baseline.jar" .device/baseline.jar; rm -rf "$fake"' EXIT
fi
# the bundle's JRE, as on the GPU machine
tar xzf .device/jre.tgz -C "$fake"
# train_steps' timeline and the cluster experiment on the CPU block emulator in place of the bundle's CUDA builds
gpp=(g++ -std=c++20 -O2 -I kernels -I src/test/cuda -x c++)
"${gpp[@]}" -DASYNC_COPIES=1 -o "$fake/train-steps-timeline" bench/ab/train_steps_timeline.cu
"${gpp[@]}" -DASYNC_COPIES=1 -DSTEP_PRODUCTS=0 -o "$fake/train-steps-timeline-no-products" bench/ab/train_steps_timeline.cu
"${gpp[@]}" -o "$fake/cluster-steps-timeline" bench/ab/cluster_steps_timeline.cu
"${gpp[@]}" -o "$fake/deferred-steps-timeline" bench/ab/deferred_steps_timeline.cu
# the stand-in runs kernels on the CPU: the bench, the shape grid, the whole-steps shapes, the Adam run and the
# baseline's turns (with a baseline jar) shrink to one small shape and one or two epochs (train_steps' timeline and
# the cluster experiments to 3 and 16 steps, the epoch's parts to 2 rounds), and every step's time limit is forty times the
# GPU's (the 200 epochs take about 25 minutes here)
PATH="$fake/jre/bin:$PATH" LD_LIBRARY_PATH="$fake/driver:$fake/cublas13" OUT=${OUT:-runs/gpu-rehearsal} LIMIT_SCALE=${LIMIT_SCALE:-40} \
  BENCH_EPOCHS=${BENCH_EPOCHS:-2} GRID_HIDDEN=${GRID_HIDDEN:-100} GRID_BATCH=${GRID_BATCH:-100} GRID_EPOCHS=${GRID_EPOCHS:-2} ADAM_EPOCHS=${ADAM_EPOCHS:-1} \
  WHOLE_HIDDEN=${WHOLE_HIDDEN:-100} TIMELINE="$fake/train-steps-timeline" TIMELINE_HIDDEN=100 TIMELINE_STEPS=3 EPOCH_PARTS_ROUNDS=2 \
  CLUSTER_STEPS="$fake/cluster-steps-timeline" CLUSTER_STEPS_STEPS=3 CLUSTER_STEPS_LAUNCHES=1 \
  DEFERRED_STEPS="$fake/deferred-steps-timeline" DEFERRED_STEPS_STEPS=16 \
  AB_EPOCHS=${AB_EPOCHS:-2} AB_HIDDEN=${AB_HIDDEN:-100} LAYER_OPS=${LAYER_OPS:-30:20} bash ci/gpu-check.sh
