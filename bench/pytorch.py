"""The native peer of npm run bench: PyTorch on the CPU with one thread.

Trains the same architectures as our presets (see `mnist-lab presets`) at the
same batch size on the same kind of synthetic 28x28 data, with Adam and softmax
cross-entropy, and prints one JSON object: training samples per CPU-second
(time.process_time, all threads of this process) and per wall-second, per model.

    /usr/bin/python3 bench/pytorch.py [--batch 64] [--seconds 4] mlp cnn lenet5

Debian's python3-torch (1.13) and libopenblas0 (scripts/bench.sh installs both on
demand with BENCH_PYTORCH=1); a benchmark, not a test.
"""
import argparse
import json
import os
import platform
import time

# One thread everywhere: OpenBLAS and OpenMP read these when they load.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import torch  # noqa: E402
from torch import nn  # noqa: E402

# Our presets in PyTorch's layers; conv(F,K) is 'valid' (no padding).
ARCHS = {
    # dense(512)-relu-dense(256)-relu-dense(10)
    "mlp": lambda: nn.Sequential(
        nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)),
    # conv(32,3)-relu-pool(2)-conv(64,3)-relu-pool(2)-flatten-dense(128)-relu-dropout(0.3)-dense(10)
    "cnn": lambda: nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10)),
    # conv(6,5)-relu-pool(2)-conv(16,5)-relu-pool(2)-flatten-dense(120)-relu-dense(84)-relu-dense(10)
    "lenet5": lambda: nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 4 * 4, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
}


def samples_per_second(name, batch, seconds, images, labels):
    """Warm-up for 1.5 CPU-seconds, then timed steps for `seconds` CPU-seconds."""
    model = ARCHS[name]()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()  # softmax cross-entropy on the logits
    batches = images.shape[0] // batch
    step_i = 0

    def step():
        nonlocal step_i
        b = step_i % batches
        step_i += 1
        # Like our trainer: the batch is converted from uint8 each step.
        x = images[b * batch:(b + 1) * batch].float().div_(255.0)
        y = labels[b * batch:(b + 1) * batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    c0 = time.process_time()
    while time.process_time() - c0 < 1.5:
        step()
    n = 0
    c0, w0 = time.process_time(), time.perf_counter()
    while time.process_time() - c0 < seconds:
        step()
        n += 1
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    params = sum(p.numel() for p in model.parameters())
    return {"per_cpu_second": n * batch / cpu, "per_wall_second": n * batch / wall, "batches": n, "params": params}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("models", nargs="*", default=["mlp", "cnn", "lenet5"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(3)
    images = torch.randint(0, 256, (4096, 1, 28, 28), dtype=torch.uint8, generator=g)
    labels = torch.randint(0, 10, (4096,), generator=g)
    out = {
        "torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(), "batch": args.batch,
        "train": {m: samples_per_second(m, args.batch, args.seconds, images, labels) for m in args.models},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
