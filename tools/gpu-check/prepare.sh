#!/usr/bin/env bash
# Builds what run-on-device.sh carries to the GPU machine (which has no .NET): a framework-dependent
# publish of GpuCheck and the packed .NET runtime, both under tools/gpu-check/bin (git-ignored).
# Run from the repository root: bash tools/gpu-check/prepare.sh
set -euo pipefail
here=tools/gpu-check
rm -rf "$here/bin/publish"
dotnet publish "$here/GpuCheck.csproj" -c Release -r linux-x64 --self-contained false -o "$here/bin/publish" -v q -nologo
# ILGPU's satellite/runtime folders for other platforms are not needed on linux-x64.
[ -f "$here/bin/rt/dotnet-rt.tar.xz" ] || bash ../shared/tools/pack-dotnet-runtime.sh "$here/bin/rt"
du -sh "$here/bin/publish" "$here/bin/rt"
