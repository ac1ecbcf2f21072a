#!/usr/bin/env bash
# Builds the test stand-ins for the NVIDIA driver and cuBLAS into DIR (CudaOnFakeDriverTest and
# ci/rehearse-gpu-check.sh use them): DIR/driver/libcuda.so.1, and DIR/cublas12/libcublas.so.12 and
# DIR/cublas13/libcublas.so.13, each in a directory of its own with the compat library's symbols
# (native/libcublas.so.12.map) under version node libcublas.so.MAJOR: 12 is the version JCublas2 binds to,
# 13 the one the compat library looks them up under in cuBLAS 13. Run from the project root; needs g++.
set -euo pipefail
dir=${1:?usage: build-stand-ins.sh DIR}
gpp=(g++ -std=c++20 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wno-sign-compare -Werror)
mkdir -p "$dir/driver"
bash src/test/cuda/all-kernels.sh "$dir/generated"
# the kernels as compute_80's PTX has them (ASYNC_COPIES), which the stand-in's GPU (compute capability 9.0 unless
# FAKE_CUDA_COMPUTE_CAPABILITY says otherwise) loads; kernels_on_cpu checks them as compute_75's PTX has them too
"${gpp[@]}" -DASYNC_COPIES=1 -I kernels -I src/test/cuda -I "$dir/generated" -o "$dir/driver/libcuda.so.1" src/test/cuda/fake_libcuda.cpp -Wl,-soname,libcuda.so.1
for cublas in 12:120603 13:130100; do
  major=${cublas%:*} soname=libcublas.so.${cublas%:*}
  mkdir -p "$dir/cublas$major"
  sed "s/libcublas.so.12 {/$soname {/" native/libcublas.so.12.map > "$dir/$soname.map"
  "${gpp[@]}" -DFAKE_CUBLAS_VERSION="${cublas#*:}" -o "$dir/cublas$major/$soname" src/test/cuda/fake_libcublas.cpp \
    -Wl,-soname,"$soname" -Wl,--version-script="$dir/$soname.map" -L"$dir/driver" -l:libcuda.so.1
done
