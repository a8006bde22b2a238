#!/bin/bash
# GPU check for FaceNet.Net on a machine with PyTorch (its libtorch backs TorchSharp). Writes under $OUT.
# Needs .gpu/ from make-bundle.sh and OUT (a folder for the results); run from the repository root on a machine with PyTorch (CUDA). Ran 28 Nov 2026 on an H200 (docs/gpu.md).
set -u
exec > >(tee -a "$OUT/log.txt") 2>&1
T0=$(date +%s)
el() { echo $(( $(date +%s) - T0 )); }
step() { echo; echo "=== [$(el)s $(date -u +%H:%M:%S)] $*"; }
ROOT=$PWD
step environment
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>&1
grep PRETTY /etc/os-release; uname -r; nproc
if [ -z "${TORCH_LIB:-}" ]; then
  python3 -c 'import torch;print("torch",torch.__version__,"cuda",torch.version.cuda,"cudnn",torch.backends.cudnn.version(),torch.cuda.get_device_name(0))'
  TORCH_LIB=$(python3 -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')
fi
echo "TORCH_LIB=$TORCH_LIB"; ls "$TORCH_LIB" | tr '\n' ' '; echo
strings "$(ldconfig -p | awk '/libstdc\+\+\.so\.6 /{print $NF; exit}')" 2>/dev/null | grep -o 'GLIBCXX_3\.4\.3[0-9]' | sort -u | tr '\n' ' '; echo

step unpack
D=/tmp/dn; mkdir -p $D
tar -xJf .gpu/dotnet-runtime.tar.xz -C $D && tar -xJf .gpu/apps.tar.xz -C $D || { echo "unpack failed"; exit 1; }
export DOTNET_ROOT=$D DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export LD_LIBRARY_PATH=$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export FACENET_SHARED=$ROOT/.gpu/shared
DN=$D/dotnet; T=$D/tests; B=$D/bench

step "symbols: what libLibTorchSharp.so (TorchSharp 0.107, built on libtorch 2.10) needs that this libtorch lacks"
LTS=$T/runtimes/linux-x64/native/libLibTorchSharp.so
if command -v nm >/dev/null; then
  nm -D --undefined-only "$LTS" | awk '{print $2}' | sed 's/@.*//' | sort -u > /tmp/undef.txt
  for f in "$TORCH_LIB"/libtorch.so "$TORCH_LIB"/libtorch_cpu.so "$TORCH_LIB"/libc10.so "$TORCH_LIB"/libtorch_cuda.so "$TORCH_LIB"/libc10_cuda.so \
           $(ldconfig -p | awk '/(libstdc\+\+\.so\.6|libc\.so\.6|libm\.so\.6|libgcc_s\.so\.1) \(libc6,x86-64\)/{print $NF}'); do
    [ -f "$f" ] && nm -D --defined-only "$f" | awk '{print $3}' | sed 's/@.*//'
  done | sort -u > /tmp/def.txt
  comm -23 /tmp/undef.txt /tmp/def.txt > /tmp/missing.txt
  echo "undefined in LibTorchSharp: $(wc -l < /tmp/undef.txt); not defined by libtorch/libc/libstdc++ here: $(wc -l < /tmp/missing.txt)"
  (c++filt < /tmp/missing.txt 2>/dev/null || cat /tmp/missing.txt) > "$OUT/missing-symbols.txt"
  head -40 "$OUT/missing-symbols.txt"
else
  echo "nm not found"
fi

step "facenet info"
timeout 60 $DN $T/facenet.dll info --json; echo "rc=$?"

step "fused CPU convolution under this libtorch (a TorchScript schema mismatch would abort this process only)"
$DN $B/FaceNet.Net.Benchmarks.dll --write-synthetic-weights /tmp/synthetic.safetensors
timeout 90 $DN $T/facenet.dll benchmark --weights /tmp/synthetic.safetensors --device cpu --batch 8 --seconds 2 --json; rc=$?
echo "rc=$rc"; if [ $rc -ne 0 ]; then export FACENET_FUSED_CONV=0; echo "fused convolution off for the rest"; fi

run_tests() { # $1 label, $2 filter, $3 timeout
  step "tests $1"
  timeout $3 $DN $T/FaceNet.Net.Tests.dll --filter "$2" --output Detailed --no-ansi --no-progress --results-directory /tmp/tr 2>&1 \
    | grep -v -E '^\s*$' | grep -v -E '^(  Standard output|  Error output)$'; echo "rc=${PIPESTATUS[0]}"
}
run_tests "Gpu (NCHW on CUDA, the default)" "TestCategory=Gpu" 200
FACENET_CUDA_CHANNELS_LAST=1 run_tests "Gpu encoder, channels-last on CUDA" "FullyQualifiedName~CudaEncoderTests" 150

step "facenet benchmark --device cuda"
bench() { # $1 one VAR=value for the run, then the command's options
  local setting=$1; shift
  timeout 60 env "$setting" $DN $T/facenet.dll benchmark --weights /tmp/synthetic.safetensors --device cuda --json --seconds 1.5 "$@" \
    | tr -d '\n' | sed "s/^/{\"env\":\"$setting\",\"run\":/; s/$/}\n/" >> "$OUT/cli.jsonl"
  tail -n 1 "$OUT/cli.jsonl"
}
for p in float32 float16 bfloat16; do for b in 1 8 32 64; do
  bench FACENET_CUDA_CHANNELS_LAST=0 --precision $p --batch $b
done; done
for p in float32 float16 bfloat16; do for b in 1 8 32 64; do
  [ $(el) -gt 330 ] && break 2
  bench FACENET_CUDA_CHANNELS_LAST=1 --precision $p --batch $b
done; done
for b in 1 32 64; do bench NVIDIA_TF32_OVERRIDE=0 --precision float32 --batch $b; done

step "BenchmarkDotNet --short encoder throughput"
if [ $(el) -lt 380 ]; then
  (cd $ROOT && timeout 170 $DN $B/FaceNet.Net.Benchmarks.dll --short --filter '*EncoderThroughput*' --docs "$OUT/benchmarks-gpu.md" 2>&1 \
    | grep -E '^\|| Target|Runtime|GPU|CUDA|wrote|Error|error|Exception' ); echo "rc=${PIPESTATUS[0]}"
else echo "skipped: $(el) s used"; fi

step "CPU unit tests against this libtorch"
if [ $(el) -lt 470 ]; then
  run_tests "CPU unit tests" "TestCategory!=Reference&TestCategory!=Packaging&TestCategory!=Gpu&FullyQualifiedName!~.Docs.&FullyQualifiedName!~.Cli.&FullyQualifiedName!~Command&FullyQualifiedName!~.Packaging.&FullyQualifiedName!~exits_2&FullyQualifiedName!~legacy_pt" 70 \
    | grep -E '^(failed|  total|  failed|  succeeded|  skipped|  duration|rc=|===)' -A1 | head -60
else echo "skipped: $(el) s used"; fi
step done
