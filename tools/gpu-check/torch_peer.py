"""The PyTorch peer for gpu-check: the same timings with torch on the same GPU (TF32 off), median of runs."""
import sys
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda:0")


def timeit(op, runs):
    op(); op()
    torch.cuda.synchronize()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        op()
        torch.cuda.synchronize()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[runs // 2]


print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
for n in (1024, 2048, 4096):
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    s = timeit(lambda: torch.matmul(a, b), 5 if n >= 4096 else 10)
    print(f"RESULT sgemm_{n} {2.0 * n ** 3 / s / 1e12:.3f} TFLOP/s ({s * 1e3:.3f} ms)")
n = 64 << 20
x = torch.ones(n, device=dev)
y = torch.ones(n, device=dev)
s = timeit(lambda: x + y, 20)
print(f"RESULT add_64M {3.0 * 4 * n / s / 1e9:.1f} GB/s ({s * 1e3:.3f} ms)")
s = timeit(lambda: x.clone(), 20)
print(f"RESULT copy_64M {2.0 * 4 * n / s / 1e9:.1f} GB/s ({s * 1e3:.3f} ms)")
s = timeit(lambda: torch.exp(x), 20)
print(f"RESULT exp_64M {2.0 * 4 * n / s / 1e9:.1f} GB/s ({s * 1e3:.3f} ms)")
s = timeit(lambda: x.sum(), 20)
print(f"RESULT sum_64M {4.0 * n / s / 1e9:.1f} GB/s ({s * 1e3:.3f} ms)")
m = torch.randn(4096, 4096, device=dev)
s = timeit(lambda: torch.softmax(m, 1), 20)
print(f"RESULT softmax_4096x4096 {2.0 * 4 * 4096 * 4096 / s / 1e9:.1f} GB/s ({s * 1e3:.3f} ms)")
xc = torch.randn(32, 64, 56, 56, device=dev)
wc = torch.randn(64, 64, 3, 3, device=dev)
s = timeit(lambda: torch.nn.functional.conv2d(xc, wc, padding=1), 10)
print(f"RESULT conv2d_32x64x56x56_k3 {2.0 * 32 * 64 * 56 * 56 * 64 * 9 / s / 1e12:.3f} TFLOP/s ({s * 1e3:.3f} ms)")
x64 = torch.ones(64, device=dev)


def chain():
    y = x64
    for _ in range(1000):
        y = y + x64


s = timeit(chain, 10)
print(f"RESULT op_overhead_add64 {s / 1000 * 1e6:.2f} us/op")
try:
    import torchaudio
    mf = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13, melkwargs={"n_fft": 400, "hop_length": 160, "n_mels": 40}).to(dev)
    wav = torch.rand(32, 16000, device=dev) - 0.5
    s = timeit(lambda: mf(wav), 20)
    print(f"RESULT mfcc_32x1s {32 / s:.0f} clips/s ({s * 1e3:.3f} ms)")
except Exception as e:  # torchaudio may be missing on the GPU machine
    print(f"torchaudio MFCC not timed: {e}")
sys.stdout.flush()
