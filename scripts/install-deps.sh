#!/usr/bin/env bash
# Installs every build and test dependency of Kiln by Debian package name.
# Idempotent and quiet when everything is already there.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ ccache pkg-config
  # ONNX import
  libonnx-dev libprotobuf-dev protobuf-compiler
  # CLI, logging, formats
  libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  # offline models: the .om checksum (XXH3-64)
  libxxhash-dev
  # CPU backend
  libdnnl-dev
  # tests: GoogleTest, ONNX node suite, libFuzzer (clang, with its OpenMP runtime), model export
  libgtest-dev libgmock-dev libonnx-testdata clang libclang-rt-14-dev libomp-dev
  python3-numpy python3-onnx python3-torch python3-torchvision
  # AscendCL compatibility: the pyACL module `acl` and the `kiln` module (pybind11, Debian Python)
  pybind11-dev python3-dev
)
# npm fetches the OCR models. Some images ship Node.js with its own npm (which conflicts with
# Debian's npm package), so only ask apt for it when no npm is on PATH.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
