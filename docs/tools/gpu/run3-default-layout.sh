#!/bin/bash
# Third GPU run: the committed default (channels-last on CUDA): GPU tests, and both layouts at batches 64 and 256.
# Needs .gpu/ from make-bundle.sh and OUT (a folder for the results); run from the repository root on a machine with PyTorch (CUDA). Ran 28 Nov 2026 on an H200 (docs/gpu.md).
set -u
exec > >(tee -a "$OUT/log3.txt") 2>&1
T0=$(date +%s)
step() { echo; echo "=== [$(( $(date +%s) - T0 ))s $(date -u +%H:%M:%S)] $*"; }
ROOT=$PWD
TORCH_LIB=$(python3 -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')
D=/tmp/dn; mkdir -p $D
tar -xJf .gpu/dotnet-runtime.tar.xz -C $D && tar -xJf .gpu/apps.tar.xz -C $D || { echo "unpack failed"; exit 1; }
export DOTNET_ROOT=$D DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export LD_LIBRARY_PATH=$TORCH_LIB FACENET_SHARED=$ROOT/.gpu/shared
DN=$D/dotnet; T=$D/tests; B=$D/bench
step "tests Gpu (default layout)"
timeout 100 $DN $T/FaceNet.Net.Tests.dll --filter "TestCategory=Gpu" --output Detailed --no-ansi --no-progress 2>&1 | grep -E '^(passed|failed|skipped)|cuda |first-step|total|failed:|succeeded|skipped:' | sort -u; echo "rc=${PIPESTATUS[0]}"
$DN $B/FaceNet.Net.Benchmarks.dll --write-synthetic-weights /tmp/synthetic.safetensors
step "facenet benchmark, default layout vs FACENET_CUDA_CHANNELS_LAST=0"
for b in 256 64; do for p in float16 float32; do for cl in default 0; do
  if [ $cl = default ]; then setting=FACENET_UNUSED=1; else setting=FACENET_CUDA_CHANNELS_LAST=0; fi
  timeout 40 env $setting $DN $T/facenet.dll benchmark --weights /tmp/synthetic.safetensors --device cuda --json --seconds 2 --precision $p --batch $b \
    | tr -d '\n' | sed "s/^/{\"env\":\"$setting\",\"run\":/; s/$/}\n/" >> "$OUT/cli3.jsonl"
  tail -n 1 "$OUT/cli3.jsonl" | grep -o '"env":"[^"]*"\|"precision": "[a-z0-9]*"\|"batch": [0-9]*\|"imagesPerSecond": [0-9.]*' | tr '\n' ' '; echo
done; done; done
step done
