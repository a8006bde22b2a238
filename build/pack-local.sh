#!/usr/bin/env bash
# Builds every package of the repository (each project outside tests/, benchmarks/ and samples/ that says IsPackable)
# into a local folder feed, for installing the packages before they are on nuget.org (docs/getting-started.md):
#   build/pack-local.sh [output folder, default artifacts/packages]
# The builds are deterministic CI builds (ContinuousIntegrationBuild: paths in the PDBs are /_/..., SourceLink maps them to
# the commit on GitHub). Packing again under the same version: remove that version from the NuGet cache first
# (~/.nuget/packages/<id>/<version>), as NuGet never replaces a cached version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/packages}" && cd "${1:-$root/artifacts/packages}" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cd "$root"
found=0
while IFS= read -r project; do
  case "$project" in tests/*|benchmarks/*|samples/*) continue ;; esac
  packable="$(dotnet msbuild "$project" -getProperty:IsPackable)"
  [ "$packable" = "true" ] || continue
  echo "pack-local: $project"
  dotnet pack "$project" -c Release -o "$out" -p:ContinuousIntegrationBuild=true --nologo -v quiet
  found=$((found + 1))
done < <(find . -name '*.csproj' -not -path '*/bin/*' -not -path '*/obj/*' | sed 's|^\./||' | sort)

if [ "$found" = 0 ]; then
  echo "pack-local: no packable project found under $root" >&2
  exit 1
fi
echo "pack-local: $found projects packed into $out:"
ls -1 "$out"
