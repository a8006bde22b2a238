#!/bin/bash
# Builds .gpu/ (git-ignored) for a GPU machine that has PyTorch but no .NET SDK: the .NET runtime, the test assembly
# published with NUnit's own runner (so it runs with `dotnet FaceNet.Net.Tests.dll --filter ...`), the benchmark
# program, and the MTCNN weights and face photos the GPU tests and benchmarks read. No libtorch natives: on the GPU
# machine the run scripts put PyTorch's torch/lib on LD_LIBRARY_PATH. About 48 MB.
# Usage, from the repository root: FACENET_SHARED=../shared bash docs/tools/gpu/make-bundle.sh
# Then on the GPU machine, from a copy of the repository with .gpu/ in it: OUT=<results folder> bash docs/tools/gpu/run1-check-and-benchmark.sh
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
shared=${FACENET_SHARED:?set FACENET_SHARED to the shared fixtures folder}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bundle=$repo/.gpu
mkdir -p "$bundle/shared/fixtures/faces/photos" "$bundle/shared/fixtures/mtcnn"

# A copy of the sources whose test project builds NUnit's runner into the assembly (not done in the repository,
# where `dotnet test` drives the tests).
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$work/")
sed -i 's|<IsTestProject>true</IsTestProject>|<IsTestProject>true</IsTestProject><EnableNUnitRunner>true</EnableNUnitRunner><OutputType>Exe</OutputType>|' \
  "$work/tests/FaceNet.Net.Tests/FaceNet.Net.Tests.csproj"
dotnet publish "$work/tests/FaceNet.Net.Tests/FaceNet.Net.Tests.csproj" -c Release -p:FaceNetLibTorch=external -o "$work/out/tests"
dotnet publish "$work/benchmarks/FaceNet.Net.Benchmarks/FaceNet.Net.Benchmarks.csproj" -c Release -p:FaceNetLibTorch=external -o "$work/out/bench"
for d in tests bench; do
  rm -rf "$work/out/$d"/runtimes/{osx*,win*,linux-arm*,linux-musl*} "$work/out/$d/CodeCoverage" "$work/out/$d"/{x86,amd64,arm64}
done
tar -C "$work/out" -cf - tests bench | xz -T0 -6 > "$bundle/apps.tar.xz"

# The .NET runtime the apps target (the host and Microsoft.NETCore.App only).
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(dotnet --list-runtimes | awk '/^Microsoft.NETCore.App 10\./{v=$2} END{print v}')
tar -C "$root" -cf - dotnet host "shared/Microsoft.NETCore.App/$runtime" | xz -T0 -6 > "$bundle/dotnet-runtime.tar.xz"

cp "$shared"/fixtures/mtcnn/*.safetensors "$shared/fixtures/mtcnn/expected.json" "$bundle/shared/fixtures/mtcnn/"
cp -r "$shared/fixtures/faces/aligned" "$bundle/shared/fixtures/faces/"
cp "$shared/fixtures/faces/photos/multiface.jpg" "$bundle/shared/fixtures/faces/photos/"
chmod -R u+w "$bundle"
du -sh "$bundle"
