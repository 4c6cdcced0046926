#!/usr/bin/env bash
# Runs on the GPU machine (through the device tool), from the repository root, after prepare.sh:
#   carry: tools/gpu-check/bin/publish, tools/gpu-check/bin/rt
#   command: bash tools/gpu-check/run-on-device.sh
# Unpacks the .NET runtime, runs GpuCheck (the CUDA device-parity tests, then GPU timings) and the
# PyTorch peer (torch.matmul with TF32 off, torch conv2d, elementwise), and prints the ratios.
# Everything is also written to $OUT (when set) for the record in benchmarks/RESULTS.md.
set -uo pipefail
out=${OUT:-/tmp/gpu-check-out}
mkdir -p "$out" /tmp/dn
tar -C /tmp/dn -xJf tools/gpu-check/bin/rt/dotnet-rt.tar.xz
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
timeout ${ENGINE_TIMEOUT:-420} /tmp/dn/dotnet tools/gpu-check/bin/publish/GpuCheck.dll 2>&1 | tee "$out/engine.txt"
engine_rc=${PIPESTATUS[0]}
PYTHONUNBUFFERED=1 timeout 120 python3 tools/gpu-check/torch_peer.py 2>&1 | tee "$out/torch.txt"
python3 - "$out/engine.txt" "$out/torch.txt" <<'PY' | tee "$out/ratios.txt"
import re, sys
def read(p):
    r = {}
    for line in open(p, errors="replace"):
        m = re.match(r"RESULT (\S+) ([0-9.]+) (\S+)", line)
        if m:
            r[m.group(1)] = (float(m.group(2)), m.group(3))
    return r
e, t = read(sys.argv[1]), read(sys.argv[2])
print("op                       engine          torch           engine/torch (throughput ratio; for us/op and ms, torch/engine)")
for k in t:
    if k in e:
        lower_better = e[k][1] in ("us/op", "ms")
        ratio = t[k][0] / e[k][0] if lower_better else e[k][0] / t[k][0]
        print(f"{k:24} {e[k][0]:10.3f} {e[k][1]:9} {t[k][0]:10.3f} {t[k][1]:9} {ratio:6.2f}")
    else:
        print(f"{k:24} {'n/a':>20} {t[k][0]:10.3f} {t[k][1]:9}   (not run on the engine's GPU path)")
PY
exit $engine_rc
