#!/usr/bin/env bash
# Builds the libcublas.so.12 -> libcublas.so.13 compat library (see cublas12_compat.c) into the given
# directory, from which it is packed into the jar. Without gcc, or off Linux on x86-64, it skips with a message;
# the cuda backend then works only where a real libcublas.so.12 is installed.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the jar's slot for it is native/linux-x86_64, and elsewhere (macOS's linker has no -soname) it would not link
platform="$(uname -s) $(uname -m)"
if [ "$platform" != "Linux x86_64" ]; then
  echo "native: $platform is not Linux on x86-64; libcublas.so.12 compat library not built"
  exit 0
fi
cc=${CC:-$(command -v gcc || command -v cc || true)}
if [ -z "$cc" ]; then
  echo "native: no C compiler; libcublas.so.12 compat library not built"
  exit 0
fi
mkdir -p "$out"
lib="$out/libcublas.so.12"
if [ ! -f "$lib" ] || [ "$here/cublas12_compat.c" -nt "$lib" ] || [ "$here/libcublas.so.12.map" -nt "$lib" ]; then
  "$cc" -O2 -fPIC -shared -Wall -Werror -o "$lib" "$here/cublas12_compat.c" \
    -Wl,-soname,libcublas.so.12 -Wl,--version-script="$here/libcublas.so.12.map" -ldl
fi
echo "native: built $lib"
