"""plainnet on an NVIDIA GPU (CuPy): versions, the device tests, parity with the
CPU, and epochs against PyTorch CUDA, written as JSON into a folder.

    python benchmarks/gpu_check.py RESULTS_DIR [--device cuda:0] [--quick]

For a machine with an NVIDIA GPU, CuPy (``pip install ".[cuda]"``) and, for
the comparison, PyTorch with CUDA. It takes at most about five minutes and
writes ``RESULTS_DIR/gpu_check.json``:

* ``versions``: Python, NumPy, CuPy, the CUDA runtime and driver, the GPU,
  PyTorch;
* ``tests``: ``tests/test_devices.py`` run on the GPU (``PLAINNET_TEST_DEVICE``;
  there it compares with the CPU within float rounding, not bit for bit:
  cuBLAS and OpenBLAS sum in other orders);
* ``parity``: an MLP and LeNet-5 trained on the CPU predict on the GPU within
  1e-5 in float32; one batch's gradients on the GPU within 1e-4 (relative) of
  the CPU's in float32 and 1e-12 in float64; a file saved on the GPU reloads on
  the CPU and predicts the same;
* ``speed``: one epoch of the 784-256-128-10 MLP at batch 128, 1,024 and 8,192,
  and one LeNet-5 epoch, plainnet (CuPy) against PyTorch CUDA (cuDNN for the
  convolutions), TF32 off in both, as ratios measured in the same run.

On a machine without a GPU (or without CuPy) it says so, writes the reason
into the JSON and exits 0. ``--device array_api_strict:device1`` rehearses
every step on the CPU (the speed section then times that device, uselessly but
through the same code).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # the checkout's plainnet, installed or not

import plainnet as pn  # noqa: E402
from plainnet import backend  # noqa: E402
from plainnet.gradcheck import relative_error  # noqa: E402

MLP_SIZES = (784, 256, 128, 10)
LENET_SHAPE = (1, 28, 28)
SPEED_ROWS = 16_384  # samples per epoch in the speed section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="folder for gpu_check.json")
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--quick", action="store_true", help="fewer rows and rounds")
    args = parser.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / "gpu_check.json"
    report: dict[str, Any] = {"device": args.device, "versions": versions()}
    try:
        ops = backend.get(args.device)
    except ImportError as error:  # no CuPy, no driver or no GPU
        report["skipped"] = str(error)
        out.write_text(json.dumps(report, indent=2))
        print(f"no GPU here: {error}\nwrote {out}")
        return 0
    report["versions"].update(device_versions(ops))
    started = time.monotonic()
    report["tests"] = device_tests(args.device)
    report["parity"] = parity(args.device)
    report["speed"] = speed(args.device, rows=2048 if args.quick else SPEED_ROWS)
    report["seconds"] = round(time.monotonic() - started, 1)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


# -- versions --------------------------------------------------------------------
def versions() -> dict[str, Any]:
    found: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "plainnet": pn.__version__,
        "machine": platform.machine(),
    }
    torch = optional("torch")
    if torch is not None:
        found["torch"] = torch.__version__
        found["torch_cuda"] = bool(torch.cuda.is_available())
    return found


def device_versions(ops) -> dict[str, Any]:
    """CuPy's, the CUDA runtime's and driver's, and the GPU's name."""
    if not ops.name.startswith("cuda"):
        return {"backend": ops.name}
    cupy = ops.xp
    runtime = cupy.cuda.runtime
    properties = runtime.getDeviceProperties(ops.device.id)
    return {
        "cupy": cupy.__version__,
        "cuda_runtime": runtime.runtimeGetVersion(),
        "cuda_driver": runtime.driverGetVersion(),
        "gpu": properties["name"].decode(),
    }


def optional(name: str):
    try:
        return __import__(name)
    except ImportError:
        return None


# -- the device tests ----------------------------------------------------------------
def device_tests(device: str) -> dict[str, Any]:
    """``tests/test_devices.py`` on ``device``; its summary line and exit code."""
    env = {**os.environ, "PLAINNET_TEST_DEVICE": device}
    tests = str(ROOT / "tests" / "test_devices.py")
    command = [sys.executable, "-m", "pytest", "-o", "addopts=", "-q",
               "-p", "no:cacheprovider", tests]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return {"exit_code": result.returncode, "summary": lines[-1] if lines else ""}


# -- parity ------------------------------------------------------------------------
def mlp(dtype: str, device=None, seed: int = 0) -> pn.Sequential:
    a, b, c, d = MLP_SIZES
    layers = [pn.Dense(a, b), pn.ReLU(), pn.Dense(b, c), pn.ReLU(), pn.Dense(c, d)]
    return pn.Sequential(layers, seed=seed, dtype=dtype, device=device)


def lenet(dtype: str, device=None, seed: int = 0) -> pn.Sequential:
    layers = [
        pn.Conv2D(1, 6, 5, padding=2), pn.ReLU(), pn.MaxPool2D(2),
        pn.Conv2D(6, 16, 5), pn.ReLU(), pn.MaxPool2D(2), pn.Flatten(),
        pn.Dense(400, 120), pn.ReLU(), pn.Dense(120, 84), pn.ReLU(), pn.Dense(84, 10),
    ]  # fmt: skip
    return pn.Sequential(
        layers, seed=seed, dtype=dtype, input_shape=LENET_SHAPE, device=device
    )


def data(kind: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = (MLP_SIZES[0],) if kind == "mlp" else LENET_SHAPE
    return rng.standard_normal((n, *shape)).astype("float32"), rng.integers(0, 10, n)


def parity(device: str) -> dict[str, Any]:
    """Predictions, gradients and files across the CPU and ``device``."""
    results: dict[str, Any] = {}
    for name, make in (("mlp", mlp), ("lenet", lenet)):
        X, y = data(name, 512)
        net = make("float32")
        net.fit(X, y, loss="cross_entropy", epochs=1, batch_size=128)
        cpu = net.predict(X)
        gpu = net.to(device).predict(X)
        results[f"{name}_predict_max_abs_diff"] = float(np.abs(cpu - gpu).max())
        results[f"{name}_predict_ok"] = bool(np.allclose(cpu, gpu, rtol=0, atol=1e-5))
        for dtype, tolerance in (("float32", 1e-4), ("float64", 1e-12)):
            error = gradient_error(make, dtype, device, X[:64], y[:64])
            results[f"{name}_gradient_{dtype}_relative"] = error
            results[f"{name}_gradient_{dtype}_ok"] = error <= tolerance
    results.update(file_round_trip(device))
    return results


def gradient_error(make, dtype: str, device: str, X, y) -> float:
    """Relative error between one batch's gradients on the CPU and on ``device``."""
    gradients = []
    for where in (None, device):
        net = make(dtype, where)
        loss = pn.losses.get("cross_entropy")
        target = net.ops.asarray(loss.prepare_target(y, 10, net.dtype))
        output = net.forward(net.check_input(X), training=True)
        _, grad = loss.value_and_gradient(output, target)
        net.backward(grad)
        gradients.append(net.ops.to_numpy(net.gradients).astype("float64"))
    return relative_error(*gradients)


def file_round_trip(device: str) -> dict[str, Any]:
    import tempfile

    X, y = data("mlp", 256)
    net = mlp("float32", device)
    net.fit(X, y, loss="cross_entropy", epochs=1, batch_size=64)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gpu.npz"
        net.save(path)
        loaded = pn.load(path)  # on the CPU
        same = np.allclose(loaded.predict(X), net.predict(X), rtol=0, atol=1e-5)
    return {"file_saved_on_device_loads_on_cpu": loaded.device == "cpu",
            "file_predicts_the_same": bool(same)}  # fmt: skip


# -- speed ---------------------------------------------------------------------------
def speed(device: str, rows: int, rounds: int = 3) -> dict[str, Any]:
    """Epoch times (best of ``rounds``, interleaved), plainnet / PyTorch."""
    torch = optional("torch")
    cuda = torch is not None and torch.cuda.is_available() and device.startswith("cuda")
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
    os.environ.setdefault("CUPY_TF32", "0")
    cases = [("mlp", batch) for batch in (128, 1024, 8192)] + [("lenet", 128)]
    results: dict[str, Any] = {"rows": rows, "torch": "cuda" if cuda else None}
    for name, batch in cases:
        X, y = data(name, rows)
        runs = {"plainnet": plainnet_epoch(name, device, X, y, batch)}
        if cuda:
            runs["torch"] = torch_epoch(torch, name, X, y, batch)
        best = {key: min(fn() for _ in range(rounds)) for key, fn in runs.items()}
        entry = {f"{key}_seconds": round(t, 5) for key, t in best.items()}
        if "torch" in best:
            entry["ratio_to_torch"] = round(best["plainnet"] / best["torch"], 3)
        results[f"{name}_batch_{batch}"] = entry
    return results


def plainnet_epoch(name: str, device: str, X, y, batch: int):
    make = mlp if name == "mlp" else lenet
    net = make("float32", device)
    ops = net.ops
    X_device, y_device = ops.asarray(X), ops.asarray(y)  # moved once, not timed
    warm = min(batch, X.shape[0])
    net.fit(X_device[:warm, ...], y_device[:warm], loss="cross_entropy")  # warm up

    def epoch() -> float:
        start = time.perf_counter()
        net.fit(X_device, y_device, epochs=1, batch_size=batch, shuffle=False)
        ops.to_float(net.parameters[0])  # wait for the device
        return time.perf_counter() - start

    return epoch


def torch_epoch(torch, name: str, X, y, batch: int):
    nn = torch.nn
    if name == "mlp":
        a, b, c, d = MLP_SIZES
        model = nn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c), nn.ReLU(),
                              nn.Linear(c, d))  # fmt: skip
    else:
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10),
        )  # fmt: skip
    model = model.cuda()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    X_t, y_t = torch.from_numpy(X).cuda(), torch.from_numpy(y).cuda()
    loss_fn = nn.CrossEntropyLoss()

    def epoch() -> float:
        torch.cuda.synchronize()
        start = time.perf_counter()
        for first in range(0, len(X_t), batch):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(
                model(X_t[first : first + batch]), y_t[first : first + batch]
            )
            loss.backward()
            optimizer.step()
        torch.cuda.synchronize()
        return time.perf_counter() - start

    return epoch


if __name__ == "__main__":
    sys.exit(main())
