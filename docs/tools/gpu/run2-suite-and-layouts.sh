#!/bin/bash
# Second GPU run: BenchmarkDotNet encoder (batches 1-256) and end-to-end on CUDA; layouts at large batches; GPU utilisation.
# Needs .gpu/ from make-bundle.sh and OUT (a folder for the results); run from the repository root on a machine with PyTorch (CUDA). Ran 28 Nov 2026 on an H200 (docs/gpu.md).
set -u
exec > >(tee -a "$OUT/log2.txt") 2>&1
T0=$(date +%s)
el() { echo $(( $(date +%s) - T0 )); }
step() { echo; echo "=== [$(el)s $(date -u +%H:%M:%S)] $*"; }
ROOT=$PWD
step environment
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
TORCH_LIB=${TORCH_LIB:-$(python3 -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')}
step unpack
D=/tmp/dn; mkdir -p $D
tar -xJf .gpu/dotnet-runtime.tar.xz -C $D && tar -xJf .gpu/apps.tar.xz -C $D || { echo "unpack failed"; exit 1; }
export DOTNET_ROOT=$D DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export LD_LIBRARY_PATH=$TORCH_LIB FACENET_SHARED=$ROOT/.gpu/shared
DN=$D/dotnet; T=$D/tests; B=$D/bench
$DN $B/FaceNet.Net.Benchmarks.dll --write-synthetic-weights /tmp/synthetic.safetensors

step "BenchmarkDotNet --short --devices cuda --batches 1,8,32,64,256: encoder throughput and end to end"
(cd $ROOT && timeout 300 $DN $B/FaceNet.Net.Benchmarks.dll --short --devices cuda --batches 1,8,32,64,256 --filter '*EncoderThroughput*' '*EndToEnd*' --docs "$OUT/benchmarks-gpu-suite.md" 2>&1 \
  | grep -E '^\||wrote|rror|xception'); echo "rc=${PIPESTATUS[0]}"

step "GPU utilisation during facenet benchmark --batch 32 float32 (nvidia-smi every 100 ms)"
nvidia-smi --query-gpu=timestamp,utilization.gpu,clocks.sm,power.draw --format=csv -lms 100 > "$OUT/gpu-util.csv" &
SMI=$!
timeout 60 $DN $T/facenet.dll benchmark --weights /tmp/synthetic.safetensors --device cuda --batch 32 --seconds 4 --json | tr -d '\n'; echo
kill $SMI

step "layouts at large batches: facenet benchmark --seconds 3"
for b in 64 256; do for p in float32 float16 bfloat16; do for cl in 0 1; do
  [ $(el) -gt 380 ] && break 3
  timeout 60 env FACENET_CUDA_CHANNELS_LAST=$cl $DN $T/facenet.dll benchmark --weights /tmp/synthetic.safetensors --device cuda --json --seconds 3 --precision $p --batch $b \
    | tr -d '\n' | sed "s/^/{\"env\":\"FACENET_CUDA_CHANNELS_LAST=$cl\",\"run\":/; s/$/}\n/" >> "$OUT/cli2.jsonl"
  tail -n 1 "$OUT/cli2.jsonl" | cut -c1-220
done; done; done
step done
