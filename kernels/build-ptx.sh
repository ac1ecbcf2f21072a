#!/usr/bin/env bash
# Compiles every kernels/*.cu to PTX for a virtual architecture, so one PTX JIT-compiles on any newer GPU:
# NAME.ptx for compute_75, and NAME.compute_80.ptx for compute_80 where that differs beyond its .target (a kernel
# with code for sm_80 on, ASYNC_COPIES in memory_hints.cuh), which CudaBackend loads on such GPUs; a file that
# declares thread block clusters (__cluster_dims__) only NAME.compute_90.ptx, which older GPUs cannot run.
# Called by the Maven build (process-resources) with the output directory. Without nvcc it skips with a
# message and the build still succeeds (likewise where nvcc cannot compile): `mlp4j devices` then says the CUDA
# kernels were not built.
set -euo pipefail
out=${1:?usage: build-ptx.sh OUTPUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nvcc=${NVCC:-$(command -v nvcc || true)}
[ -n "$nvcc" ] || { [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc; } || true
if [ -z "$nvcc" ]; then
  echo "kernels: nvcc not found; CUDA kernels not built (the cuda backend will report it)"
  exit 0
fi
mkdir -p "$out"
for ptx in "$out"/*.ptx; do  # drop PTX of kernels that no longer exist
  name=$(basename "$ptx" .ptx)
  [ -e "$ptx" ] && [ ! -f "$here/${name%.compute_*}.cu" ] && rm -f "$ptx"
done
# the PTX files a kernel file gets first: for compute_90 alone where it needs clusters, else for compute_75
first_ptx() {
  local name="$out/$(basename "${1%.cu}")"
  if grep -q '__cluster_dims__' "$1"; then echo "$name.compute_90.ptx"; else echo "$name.ptx"; fi
}
stale=()
for cu in "$here"/*.cu; do
  ptx=$(first_ptx "$cu")
  if [ ! -f "$ptx" ] || [ "$cu" -nt "$ptx" ] || [ -n "$(find "$here" \( -name "*.cuh" -o -name "*.cl" \) -newer "$ptx")" ]; then
    stale+=("$cu")
  fi
done
# nvcc needs a host compiler it supports even for PTX: where it cannot compile an empty kernel, the kernels are
# skipped as without nvcc, so a machine that trains on the CPU still builds (an error in a kernel still fails)
if [ ${#stale[@]} -gt 0 ]; then
  probe=$(mktemp -d)
  echo '__global__ void probe() {}' > "$probe/probe.cu"
  why=$("$nvcc" -ptx -arch=compute_75 -o "$probe/probe.ptx" "$probe/probe.cu" 2>&1) && ok=1 || ok=0
  rm -rf "$probe"
  if [ $ok = 0 ]; then
    rm -f "$out"/*.ptx
    echo "kernels: $nvcc cannot compile here ($(head -n 1 <<<"$why")); CUDA kernels not built (the cuda backend will report it)"
    exit 0
  fi
fi
# The PTX ISA the files declare: 8.0, that of CUDA 12.0, the oldest driver cuBLAS 12 runs on. nvcc writes its own
# (9.0 for CUDA 13), which an older driver refuses to load although no instruction needs it; ptxas refuses a
# declared ISA older than an instruction of the file needs (CudaBuildTest runs it on every file).
isa=8.0
for cu in ${stale[@]+"${stale[@]}"}; do
  name="$out/$(basename "${cu%.cu}")"
  if [ "$(first_ptx "$cu")" = "$name.compute_90.ptx" ]; then
    rm -f "$name.ptx" "$name.compute_80.ptx"
    "$nvcc" -ptx -arch=compute_90 -O3 -I "$here" -o "$name.compute_90.ptx" "$cu"
    continue
  fi
  rm -f "$name.compute_90.ptx"
  "$nvcc" -ptx -arch=compute_75 -O3 -I "$here" -o "$name.ptx" "$cu"
  "$nvcc" -ptx -arch=compute_80 -O3 -I "$here" -o "$name.compute_80.ptx" "$cu"
  if cmp -s <(grep -v '^\.target ' "$name.ptx") <(grep -v '^\.target ' "$name.compute_80.ptx"); then
    rm "$name.compute_80.ptx"
  fi
done
for ptx in "$out"/*.ptx; do  # every file, also those an earlier build wrote
  written=$(sed -n 's/^\.version //p' "$ptx")
  if [ "$(printf '%s\n%s\n' "$written" "$isa" | sort -V | tail -n 1)" != "$isa" ]; then
    sed -i "s/^\.version $written\$/.version $isa/" "$ptx"
  fi
done
echo "kernels: $(ls "$out"/*.ptx | wc -l) PTX files ($(ls "$out"/*.compute_80.ptx 2>/dev/null | wc -l) for compute_80, $(ls "$out"/*.compute_90.ptx 2>/dev/null | wc -l) for compute_90) built with $("$nvcc" --version | tail -1)"
