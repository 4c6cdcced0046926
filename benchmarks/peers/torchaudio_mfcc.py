#!/usr/bin/python3
"""torchaudio 0.13 timing for the MFCC benchmark (issue 5): MFCC of 1 s of 16 kHz audio, n_fft 400, hop 160,
40 mels, 13 coefficients, on one thread. The same signal as benchmarks/Engine.Benchmarks/Audio/MfccBenchmarks.cs
(harmonics at 180/720/2500 Hz plus uniform noise; the noise draws differ, which does not affect timing).

Run: /usr/bin/python3 benchmarks/peers/torchaudio_mfcc.py
Prints the median and minimum per-call wall time over repeated batches, and the minimum per-call process CPU time.
"""
import math
import time

import numpy as np
import torch
import torchaudio

torch.set_num_threads(1)
rng = np.random.default_rng(42)
t = np.arange(16000) / 16000.0
x = (0.3 * np.sin(2 * math.pi * 180 * t) + 0.2 * np.sin(2 * math.pi * 720 * t) + 0.1 * np.sin(2 * math.pi * 2500 * t)
     + 0.02 * (rng.random(16000) * 2 - 1)).astype(np.float32)
wav = torch.from_numpy(x).unsqueeze(0)

mfcc = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13, melkwargs={"n_fft": 400, "hop_length": 160, "n_mels": 40})
kaldi = lambda w: torchaudio.compliance.kaldi.mfcc(w * 32768.0, sample_frequency=16000, num_mel_bins=40)


def bench(fn, name, batches=30, per_batch=200):
    with torch.inference_mode():
        for _ in range(100):
            fn(wav)
        times, cpu = [], []
        for _ in range(batches):
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(per_batch):
                fn(wav)
            times.append((time.perf_counter() - start) / per_batch)
            cpu.append((time.process_time() - start_cpu) / per_batch)
    times.sort()
    cpu.sort()
    # Wall time suffers when other jobs share the cores; process CPU time does much less.
    print(f"{name}: wall median {times[len(times) // 2] * 1e6:.1f} us, min {times[0] * 1e6:.1f} us; "
          f"CPU time min {cpu[0] * 1e6:.1f} us per call (torch {torch.__version__}, torchaudio {torchaudio.__version__}, 1 thread)")


bench(mfcc, "torchaudio.transforms.MFCC")
bench(kaldi, "torchaudio.compliance.kaldi.mfcc (40 mels)")
