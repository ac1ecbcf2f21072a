#!/usr/bin/env bash
# The GPU proof, for the GPU test machine (no Java, Maven or network there): run from the project root with
# the bundle from ci/prepare-gpu-bundle.sh in .device/ and a JRE on PATH:
#   tar xzf .device/jre.tgz -C /tmp && export PATH=/tmp/jre/bin:$PATH && bash ci/gpu-check.sh
# Writes gpu-check.log, bench.json, grid.json and the runs' outputs under $OUT (default runs/gpu-check; where the caller
# brings back only a few files, give OUT a scratch folder and keep those three). Each step
# has its own time limit, so one that hangs (a kernel that never ends) costs its limit, not the rest of the check;
# the most needed steps run first (the issues' targets), and the others only while the check is within its budget:
# CHECK_BUDGET seconds (330 by default, so that it ends within a device session's few minutes with room for the
# session's start), past which each further step says it was skipped. JMH=1 adds the JMH benchmarks at the end (a
# few more minutes), from a bundle that JMH=1 ci/prepare-gpu-bundle.sh made.
set -uo pipefail
OUT=${OUT:-runs/gpu-check}
mkdir -p "$OUT"
# the training runs of an earlier check in the same $OUT (train will not write over a run), and its remembered faults
rm -rf "$OUT"/whole-* "$OUT"/ab-* "$OUT/adam" "$OUT/run200" "$OUT/cache"
# a candidate (a way of whole steps, a fold, a GEMM's tiles) that faults the GPU stops the run that checks it, and
# every later run of the check leaves it out: they remember it here (mlp4j/faults.tsv), which the end of the check lists
export XDG_CACHE_HOME="$OUT/cache"
exec > >(tee "$OUT/gpu-check.log") 2>&1
data=/tmp/mlp4j-mnist
# MNIST from the bundle: the GPU machine cannot fetch it
mkdir -p "$data" && cp .device/data/*.gz "$data/" || { echo "no MNIST in .device/data: run ci/prepare-gpu-bundle.sh again"; exit 2; }
java_opts=(-Dmlp4j.data="$data" -XX:ErrorFile="$OUT/hs_err_%p.log")
# the Vector API module, when this JRE has it (the CPU backend falls back to scalar loops otherwise)
java --list-modules 2>/dev/null | grep -q jdk.incubator.vector && java_opts+=(--add-modules jdk.incubator.vector)
# libjsig preloaded into every java here, as ./mlp4j and the tests do: an OpenCL compiler built on LLVM would
# otherwise replace the JVM's SIGSEGV handler and crash it at a safepoint
jsig=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so
[ -f "$jsig" ] && preload="$jsig${LD_PRELOAD:+:$LD_PRELOAD}" || preload=${LD_PRELOAD:-}
# every java runs under the current step's time limit
java() { LD_PRELOAD=$preload timeout -k 10 "$limit" java "$@"; }
mlp4j() { java "${java_opts[@]}" -jar .device/mlp4j-all.jar "$@"; }
status=0
limit=60
# step SECONDS TITLE: a new step, each java in it stopped after SECONDS (exit status 124), times LIMIT_SCALE (the
# rehearsal on the CPU stand-ins scales them up)
step() {
  limit=$(($1 * ${LIMIT_SCALE:-1})); shift
  [ -n "${step_title:-}" ] && step_times+=("$((SECONDS - step_start)) s  ${step_title:0:100}")
  step_start=$SECONDS step_title=$*
  echo; echo "=== $* ($(date -u +%H:%M:%S); limit ${limit} s per command)"
}
step_times=()
budget=$((${CHECK_BUDGET:-330} * ${LIMIT_SCALE:-1}))
# optional SECONDS TITLE: a step as step's, but false (and said so) once the check has run past its budget
optional() {
  step "$@"
  [ "$SECONDS" -le "$budget" ] || { echo "skipped: the check has run $SECONDS s, past its budget of $budget s (CHECK_BUDGET)"; return 1; }
}
# accuracy LOG MIN MAX TARGET: whether the run's "test accuracy:" line in LOG lies in [MIN, MAX] (mawk, the GPU
# machine's awk, reads '>' among printf's arguments as a redirection: hence the parentheses)
accuracy() {
  awk -v lo="$2" -v hi="$3" -v target="$4" '/^test accuracy:/ { a = $3 + 0; found = 1 }
    END { if (!found) { print "test accuracy: not printed"; exit 1 }
          ok = (a >= lo + 0 && a <= hi + 0); printf "test accuracy %.2f%% (target %s: %s)\n", a, target, (ok ? "met" : "NOT met"); exit !ok }' "$1"
}

step 30 "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
ldconfig -p | grep -E "libcuda.so.1|libcublas|libOpenCL" || true
java -version 2>&1 | head -1
mlp4j --version  # and the commit the jar was built from, "-dirty" where tracked files had changes

step 60 "mlp4j devices"
mlp4j devices || status=1

step 30 "each way of cuda's whole steps checked once, before any other step runs them: one that faults or hangs the GPU stops this run (or its limit does) and the later ones leave it out"
# the book's net (every way: train_steps on three grids, the clusters', the deferred ones) and two hidden layers; the
# runs of the step "whole steps against layer by layer" below, which takes their logs where they trained
for hidden in 100 256,256; do
  mlp4j train --device cuda --strict --verbose --data "$data" --out "$OUT/whole-cuda-$hidden" --hidden "$hidden" --epochs 1 \
    > "$OUT/whole-cuda-$hidden.log" 2>&1 || status=1
  echo "--hidden $hidden: $(grep -E '^(warning: )?whole steps|^steps of|^mlp4j: ' "$OUT/whole-cuda-$hidden.log" | tr '\n' ' ')"
done

step 240 "SPI contract, kernel-vs-CPU and 2-epoch parity tests on every backend (all three must be usable here), OpenCL's GEMM tiles, split k and command buffers"
MLP4J_REQUIRED_BACKENDS=cuda,opencl,cpu java "${java_opts[@]}" -jar .device/junit-platform-console-standalone-1.14.1.jar execute \
  --class-path .device/mlp4j-all.jar:.device/mlp4j-tests.jar \
  --select-class org.mlp4j.backend.BackendContractTest --select-class org.mlp4j.model.ParityTest \
  --select-class org.mlp4j.backend.opencl.OpenClTilesTest --select-class org.mlp4j.backend.opencl.OpenClSplitTest \
  --select-class org.mlp4j.backend.opencl.OpenClProgramsTest --details tree --disable-banner || status=1

step 120 "bench: seconds per epoch, side by side (PyTorch references when torch is importable)"
refs=()
python3 -c 'import torch' 2>/dev/null || refs=(--no-references)
mlp4j bench --device cuda,opencl,cpu --epochs ${BENCH_EPOCHS:-11} --data "$data" --json "$OUT/bench.json" "${refs[@]}" || status=1
# the issues' targets for the book's net, from this one run (ci/targets.py: cuda against PyTorch's CUDA graph, opencl
# against cuda), and whether cuda, opencl, cpu and NumPy ended the epochs at the same cost
python3 ci/targets.py "$OUT/bench.json" || status=1

step 120 "200 epochs with the book's defaults on cuda (--verbose: whether whole steps run in one launch, as the first step's run chose)"
mlp4j train --device cuda --strict --verbose --data "$data" --out "$OUT/run200" | tee "$OUT/train200.log" || status=1
# #3's target: the book's 97.54 % test accuracy, within 0.30 points
accuracy "$OUT/train200.log" 97.24 97.84 "97.54 +- 0.30" || status=1

step 60 "evaluate the trained model on cuda"
mlp4j evaluate --device cuda --strict --model "$OUT/run200/model.npz" --data "$data" || status=1

step 300 "bench --grid: issue 23's grid of network shapes and batch sizes, each beside PyTorch of the same shape"
# bench's default grid, 8 networks at 3 batch sizes; each backend and reference starts once for all of them, so the
# time goes to the shapes' epochs: 3 each (the median of epochs 2 and 3), which keeps the check within a device
# session's few minutes with opencl's rows too. Each row's detail names the paths its timings chose. GRID_HIDDEN,
# GRID_BATCH and GRID_EPOCHS pick others; the JSON is written after each shape, so a grid stopped by the limit keeps
# its rows.
grid=()
[ -n "${GRID_HIDDEN:-}" ] && grid+=(--grid-hidden "$GRID_HIDDEN")
[ -n "${GRID_BATCH:-}" ] && grid+=(--grid-batch "$GRID_BATCH")
mlp4j bench --grid "${grid[@]}" --device cuda,opencl --epochs "${GRID_EPOCHS:-3}" --data "$data" --json "$OUT/grid.json" "${refs[@]}" || status=1
# issue 23's targets on every row of this grid: cuda against PyTorch eager and its CUDA graph, opencl against cuda, and
# cliffs in cuda's times; and whether cuda and opencl ended each shape's epochs at the same cost
python3 ci/targets.py "$OUT/grid.json" || status=1

# --hidden 1 has the book's phases and barriers, and reads all of x each step, with 1 % of its multiply-adds: its
# step is the floor that barriers, launch and latency set, and the book's step less that floor is what the
# throughput of 100 units' work costs (#24)
# OpenCL's whole steps are two or three launches a step, not one (#23: its launches a step on the book's net), or a
# launch a layer each way and one for the updates; --hidden 1024 shows each way on a wide first layer, which the
# three-launch way reads once a step, 512,512 on two, where layer by layer won at 9c4b5ef, and 256,256,256, too
# deep for all but the products' way (its updates in two launches; cuda runs it layer by layer)
if optional 60 "whole steps against layer by layer, per step, on small networks (#24, #23; train --verbose, 1 epoch each)"; then
  for device in cuda opencl; do
    for hidden in ${WHOLE_HIDDEN:-1 100 100,100 256,256 512,512 1024 256,256,256}; do
      # taken from the first step where its run trained (one that stopped at a fault runs again, without that way)
      grep -qs '^epoch ' "$OUT/whole-$device-$hidden.log" || { rm -rf "$OUT/whole-$device-$hidden"
        mlp4j train --device "$device" --strict --verbose --data "$data" --out "$OUT/whole-$device-$hidden" --hidden "$hidden" --epochs 1 \
          > "$OUT/whole-$device-$hidden.log" 2>&1 || status=1; }
      echo "$device --hidden $hidden: $(grep -E '^steps (of|in one launch)|^(warning: )?whole steps|^epoch ' "$OUT/whole-$device-$hidden.log" | tr '\n' ' ')"
    done
    # Adam (the README's example without its schedule): whole steps of an optimizer, a launch a layer for the
    # updates, timed against the layer ops
    mlp4j train --device "$device" --strict --verbose --data "$data" --out "$OUT/whole-$device-adam" --hidden 256,128 --activation relu \
      --output softmax --optimizer adam --eta 0.001 --gradient mean --l2 0 --epochs 2 > "$OUT/whole-$device-adam.log" 2>&1 || status=1
    echo "$device --hidden 256,128 adam: $(grep -E '^steps (of|in one launch)|^(warning: )?whole steps|^epoch ' "$OUT/whole-$device-adam.log" | tr '\n' ' ')"
  done
fi

if optional 60 "where a step of train_steps goes: its phases and grid barriers, on each way's grid and tiles from cuda's runs above, without the tiles' products, and what its code's size costs (#24)"; then
  # bench/ab/train_steps_timeline.cu, built by ci/prepare-gpu-bundle.sh (TIMELINE names another build), and its build
  # without the tiles' multiply-adds beside it (TIMELINE-no-products), where there is one
  timeline=${TIMELINE:-.device/train-steps-timeline}
  # BLOCKS THREADS TILE_K TILE_COLS CHUNK_ROWS of each "whole steps, way I of N: ..." line, else of the "whole steps: ..." line
  layout='([0-9]+) blocks of ([0-9]+) threads, weight tiles ([0-9]+)x([0-9]+), ([0-9]+) rows .*/\1 \2 \3 \4 \5/p'
  # those of the way the trainer chose, in the log $1 ("whole steps: ..."; none where layer by layer won)
  chosen_layout() { sed -nE "s/^whole steps: $layout" "$1" 2>/dev/null | head -1; }
  # those of each way it timed, in the log $1, in the order it numbers them ("whole steps, way I of N: ...")
  way_layouts() { sed -nE "s/^whole steps, way [0-9]+ of [0-9]+: $layout" "$1" 2>/dev/null; }
  # the book's net, and 256,256, slower in issue 23's grid than wider nets of one hidden layer (bench/RESULTS.md,
  # 2026-12-04), whose row phase reads w1 by a warp a dot since
  timeline_hidden=${TIMELINE_HIDDEN:-100 256,256}
  for hidden in $timeline_hidden; do
    log="$OUT/whole-cuda-$hidden.log"
    layouts=$(way_layouts "$log")
    [ -n "$layouts" ] || layouts=$(chosen_layout "$log")
    if [ ! -x "$timeline" ]; then
      echo "skipped: no $timeline"
    elif [ -z "$layouts" ]; then
      echo "--hidden $hidden: no whole steps in $log"
    else
      while read -r blocks threads tile_k tile_cols chunk; do
        for exe in "$timeline" "$timeline-no-products"; do
          [ -x "$exe" ] || continue
          timeout -k 5 "$limit" "$exe" "784,$hidden,10" 100 "${TIMELINE_STEPS:-550}" "$blocks" "$threads" "$tile_k" "$tile_cols" "$chunk" \
            < /dev/null || status=1
        done
      done <<<"$layouts"
    fi
  done
fi

if optional 30 "the book's step as one thread block cluster instead of the whole grid: a step, without its multiply-adds, and its cluster barriers alone (#24; bench/ab/cluster_steps_timeline.cu)"; then
  # the whole network in the shared memory of up to 16 multiprocessors, three cluster barriers a step and no round trips
  # through L2 between phases; against the timeline's steps above. Each run first checks two steps against the book's
  # in double precision; a cluster the GPU cannot hold is said and passed over
  cluster_steps=${CLUSTER_STEPS:-.device/cluster-steps-timeline}
  if [ ! -x "$cluster_steps" ]; then
    echo "skipped: no $cluster_steps"
  else
    for layout in "16 512" "16 256" "8 512"; do
      timeout -k 5 "$limit" "$cluster_steps" 784,100,10 100 "${CLUSTER_STEPS_STEPS:-550}" $layout "${CLUSTER_STEPS_LAUNCHES:-5}" < /dev/null \
        | grep -v '^device: ' || status=1
    done
  fi
fi

if optional 20 "a block of the book's steps on one thread block cluster with the first layer's updates deferred: its steps, without the Gram terms, and its cluster barriers alone (#24; bench/ab/deferred_steps_timeline.cu)"; then
  # blocks of 4 and 8 steps, the products before and after each left to cuBLAS (the trainer's ways 6 to 9 of whole
  # steps, which EpochParts times below with those products); each run first checks two blocks against the book's
  # steps in double precision
  deferred_steps=${DEFERRED_STEPS:-.device/deferred-steps-timeline}
  if [ ! -x "$deferred_steps" ]; then
    echo "skipped: no $deferred_steps"
  else
    for k in 4 8; do
      for layout in "16 512" "8 512"; do
        timeout -k 5 "$limit" "$deferred_steps" 784,100,10 100 "$k" $layout "${DEFERRED_STEPS_STEPS:-550}" "${CLUSTER_STEPS_LAUNCHES:-5}" < /dev/null \
          | grep -v '^device: ' || status=1
      done
    done
  fi
fi

if optional 60 "where the book's epoch goes: each part of it timed on its own, as the trainer records them (each way of whole steps), and its evaluation in chunks of 5,000 rows and in the GPU's (#24, #23)"; then
  # bench/ab/EpochParts.java and Evaluation.java, compiled by ci/prepare-gpu-bundle.sh
  for device in cuda opencl; do
    if [ -d .device/ab ]; then
      java "${java_opts[@]}" -cp .device/mlp4j-all.jar:.device/ab EpochParts "$device" 100 "$data" "${EPOCH_PARTS_ROUNDS:-8}" 2>&1 | grep -E '^(784-|median)' \
        || status=1
      java "${java_opts[@]}" -cp .device/mlp4j-all.jar:.device/ab Evaluation "$device" 784,100,10 "${EPOCH_PARTS_ROUNDS:-8}" 2>&1 | grep -E '^784-' \
        || status=1
    else
      echo "skipped: no .device/ab"
    fi
  done
fi

if optional 60 "each op of a layer-by-layer step on its own, both ways of each fold and OpenCL's split products, on cuda and opencl (#23; bench/ab/LayerOps.java)"; then
  # 256,256 at batch 100, issue 23's one cliff (slower than 784-512-10 at 1.35x its multiply-adds), and 2048,2048,
  # where OpenCL's GEMM is furthest from cuBLAS's
  for shape in ${LAYER_OPS:-256,256:100 2048,2048:100}; do
    for device in cuda opencl; do
      if [ -d .device/ab ]; then
        java "${java_opts[@]}" -cp .device/mlp4j-all.jar:.device/ab LayerOps "$device" "${shape%:*}" "${shape#*:}" 4 100 2>&1 | grep -E '^784-' \
          || status=1
      fi
    done
  done
fi

if optional 150 "this build against the baseline's jar (.device/baseline.jar from BASELINE=<commit> ci/prepare-gpu-bundle.sh), by turns"; then
  # whole steps' time a step on the book's phases (--hidden 1), the book's net, and two hidden layers, whose row phase
  # reads the second layer's weights for every example (AB_HIDDEN picks others)
  if [ -f .device/baseline.jar ]; then
    echo "baseline $(cat .device/BASELINE), this build $(mlp4j --version); bench --epochs ${AB_EPOCHS:-6} (s/epoch, median of epochs 2 on), a step of whole steps / of layer by layer, and the book's train on a terminal (s/epoch, the same median)"
    for round in 1 2; do
      for build in baseline current; do
        jar=.device/mlp4j-all.jar
        [ "$build" = baseline ] && jar=.device/baseline.jar
        java "${java_opts[@]}" -jar "$jar" bench --device cuda,opencl --epochs "${AB_EPOCHS:-6}" --data "$data" --no-references --json "$OUT/ab-$build-$round.json" \
          > "$OUT/ab-$build-$round.log" 2>&1 || status=1
        line="round $round, $build:"
        [ -f "$OUT/ab-$build-$round.json" ] && line+=$(python3 -c 'import json, sys
print("".join(" %s %s" % (r["name"], r["seconds_per_epoch"]) for r in json.load(open(sys.argv[1]))["rows"]))' "$OUT/ab-$build-$round.json")
        for hidden in ${AB_HIDDEN:-1 100 256,256}; do
          # each build's run times its choices: this build's would take those an earlier run of the check kept, untimed
          rm -f "$XDG_CACHE_HOME/mlp4j/choices.tsv"
          java "${java_opts[@]}" -jar "$jar" train --device cuda --strict --verbose --data "$data" --out "$OUT/ab-$build-$round-$hidden" \
            --hidden "$hidden" --epochs 1 > "$OUT/ab-$build-$round-$hidden.log" 2>&1 || status=1
          line+="; --hidden $hidden $(grep -E '^steps of' "$OUT/ab-$build-$round-$hidden.log" | sed 's/^steps of [0-9]* examples: //')"
        done
        # the book's train on a terminal (a pty from Python), which draws a progress line, beside bench's epoch, which
        # draws none: what the trainer's waits for the line cost
        line+="; train on a terminal"
        for device in cuda opencl; do
          run="$OUT/ab-$build-$round-terminal-$device"
          rm -f "$XDG_CACHE_HOME/mlp4j/choices.tsv"
          timeout -k 10 "$limit" python3 -c 'import pty, sys; pty.spawn(sys.argv[1:])' env LD_PRELOAD="$preload" "$(command -v java)" "${java_opts[@]}" \
            -jar "$jar" train --device "$device" --strict --epochs "${AB_EPOCHS:-6}" --data "$data" --out "$run" < /dev/null > "$run.log" 2>&1 || status=1
          line+=" $device $(python3 -c 'import csv, statistics, sys
print("%.5f" % statistics.median(float(r["seconds"]) for r in list(csv.DictReader(open(sys.argv[1])))[1:]))' "$run/history.csv" 2>/dev/null || echo -)"
        done
        echo "$line"
      done
    done
  else
    echo "skipped (no .device/baseline.jar)"
  fi
fi

adam_epochs=${ADAM_EPOCHS:-20}
if optional 120 "beyond the book on cuda: ReLU + softmax + Adam, cosine rate, $adam_epochs epochs (#27's target at 20: >= 98.0 % test accuracy)"; then
  mlp4j train --device cuda --strict --data "$data" --out "$OUT/adam" --hidden 256,128 --activation relu --output softmax \
    --optimizer adam --eta 0.001 --gradient mean --l2 0 --lr-schedule cosine --epochs "$adam_epochs" --verbose | tee "$OUT/adam.log" || status=1
  [ "$adam_epochs" = 20 ] && { accuracy "$OUT/adam.log" 98.0 100 ">= 98.0" || status=1; }
  # #27: NumPy's forward pass over the model.npz written on cuda gives predict's labels (predict also on cuda)
  mlp4j predict --device cuda --strict --model "$OUT/adam/model.npz" --images "$data/t10k-images-idx3-ubyte.gz" > "$OUT/adam-predict.txt" || status=1
  python3 -B bench/reference/numpy_forward.py --model "$OUT/adam/model.npz" --data "$data" --labels "$OUT/adam-predict.txt" || status=1
fi

if optional 30 "the Java API on each GPU: a fit with Adam that predicts on its device within each epoch, then after it (FitInChild; a CUDA prediction's backend closing leaves the fit's context current)"; then
  for dev in cuda opencl; do
    java "${java_opts[@]}" -cp .device/mlp4j-all.jar:.device/mlp4j-tests.jar org.mlp4j.FitInChild "$dev" 784,256,10 adam within | tee "$OUT/api-$dev.log"
    { grep -q "^note: device: $dev" "$OUT/api-$dev.log" && grep -q ", 200 rows predicted on $dev within it" "$OUT/api-$dev.log" \
        && grep -qx "predicted 200 rows on $dev" "$OUT/api-$dev.log" && ! grep -q "^refused: " "$OUT/api-$dev.log"; } \
      || { echo "the API on $dev: not as expected"; status=1; }
  done
fi

if optional 60 "what NVIDIA's OpenCL compiler made of the kernels: each kernel's registers, stack frame and spills (bench/ab/OpenClPtx.java; OpenClPtxTest checks for local memory with clang)"; then
  # every kernel of the first program (each program holds every kernel, with its size of gemm_tiled's tiles), and of the
  # others gemm_tiled; the PTX stays in /tmp (a device call brings back only a few files of $OUT)
  if [ -d .device/ab ]; then
    rm -rf /tmp/opencl-ptx
    java "${java_opts[@]}" -cp .device/mlp4j-all.jar:.device/ab org.mlp4j.backend.opencl.OpenClPtx /tmp/opencl-ptx || status=1
    ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
    first=1
    for ptx in /tmp/opencl-ptx/*.ptx; do
      arch=$(sed -nE 's/^\.target (sm_[0-9a-z]+).*/\1/p' "$ptx" 2>/dev/null | head -1)
      if [ -z "$arch" ] || [ ! -x "$ptxas" ]; then
        echo "$(basename "$ptx"): not PTX for an NVIDIA GPU, or no ptxas"
        continue
      fi
      # ptxas -v: "Compiling entry function 'K' ...", then "N bytes stack frame, N bytes spill stores, ...", then "Used N registers"
      timeout -k 5 "$limit" "$ptxas" -arch="$arch" -v -o /dev/null "$ptx" 2>&1 | awk -v file="$(basename "$ptx")" -v all="$first" '
        /Compiling entry function/ { kernel = $(NF - 2); gsub("\047", "", kernel) }
        /bytes stack frame/ { stack = $1; spills = $5 }
        /Used [0-9]+ registers/ && (all || kernel == "gemm_tiled") { printf "%s %s: %s registers, %s bytes stack frame, %s bytes spill stores\n", file, kernel, $5, stack, spills }
        /(error|fatal)/ { print file ": " $0 }'
      first=0
    done
  fi
fi

if optional 400 "JMH, with JMH=1: GEMM shapes, sigmoid, layer ops, SGD step, epoch and evaluation on cuda and opencl (short runs)"; then
  if [ "${JMH:-0}" != 1 ]; then
    echo "skipped (JMH=1 runs it)"
  elif [ -f .device/benchmarks.jar ]; then
    java -jar .device/benchmarks.jar -p backend=cuda,opencl -f 1 -wi 1 -i 2 -w 1s -r 1s -rf json -rff "$OUT/jmh.json" \
      'GemmBenchmark|ElementwiseBenchmark|LayerBenchmark|TrainingBenchmark' > "$OUT/jmh.log" 2>&1 || status=1
    sed -n '/^Benchmark /,$p' "$OUT/jmh.log"
    # JMH exits 0 when a benchmark fails: its log says <failure>
    if grep -q '<failure>' "$OUT/jmh.log"; then
      echo "JMH: $(grep -c '<failure>' "$OUT/jmh.log") benchmark iterations failed; the first error:"
      grep -m1 -A1 -E '^(java|org)\.[A-Za-z.]*(Exception|Error)' "$OUT/jmh.log"
      status=1
    fi
  else
    echo "no .device/benchmarks.jar (JMH=1 ci/prepare-gpu-bundle.sh packs it): skipped"
  fi
fi

# how near each fused layer step and split product ended to its plain way on random inputs (train --verbose's
# choices, and bench's and the grid's details), on either GPU backend
echo "fused layer steps and split products against their plain way, on this GPU:"
grep -s -h -o -E '(output|hidden) step [0-9x]+: folded [0-9.]+ us \(within [^)]*\)|(forward|backward) product [0-9x]+: k split [0-9.]+ us \(within [^)]*\)' \
  "$OUT"/*.log "$OUT"/*.json | sed -E 's/: (folded|k split) [0-9.]+ us \(/: \1 (/' | sort -u | head -60

# a way left out for computing other values than the plain way (whole steps against the layer ops, a folded step or a
# split product against GEMM and step, a GEMM's register tiles against gemm's product, a command buffer against its
# kernels enqueued) computes wrongly on this GPU
# (train warns of the first two; bench's and the grid's rows name each in their details)
if grep -s -h -o -E '[^;"]*disagrees[^;"]*' "$OUT"/*.log "$OUT"/*.json | sort -u; then
  echo "ways left out as computing other values (above): each is a kernel to mend"
  status=1
fi
# a candidate that faulted the GPU as a run checked it (that run stopped; the later ones left it out)
if [ -s "$XDG_CACHE_HOME/mlp4j/faults.tsv" ]; then
  cut -f 2- "$XDG_CACHE_HOME/mlp4j/faults.tsv"
  echo "candidates that faulted the GPU (above): each is a kernel to mend"
  status=1
fi

step 0 "done: status $status"
# what each step took, for fitting the check into a device session's time
printf '%s\n' "${step_times[@]}"
exit $status
