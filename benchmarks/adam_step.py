"""The Adam step alone, as a ratio to the memory-bandwidth limit measured in the
same run.

    python benchmarks/adam_step.py [--rounds 5] [--params 235146]

The limit: an Adam step reads w, g, m, v and writes w, m, v, seven arrays of
the parameters' size; at the bandwidth of a large ``np.copyto`` (which reads
one array and writes another) that takes ``7 * nbytes / bandwidth``. Timed,
interleaved over the rounds, best of each:

* ``numpy (float64 constants)``: the twelve passes with the constants left as
  NumPy float64 scalars, as plainnet did before (slow casting loops);
* ``numpy``: the NumPy backend's ``adam`` (``kernels="numpy"``), constants in
  float32;
* ``compiled``: the numba loop (skipped without numba).

Target: the compiled step at most 1.5x the limit. ``benchmarks/mlp_epoch.py``
prints the same table in both OpenBLAS environments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _timing import interleaved, per_call

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

N_PARAMS = 235_146  # the 784-256-128-10 MLP
COPY_BYTES = 64 * 2**20  # far beyond the caches
ARRAYS_MOVED = 7


def bandwidth_probes(n: int) -> dict[str, tuple[Callable[[], None], int]]:
    """Two ``np.copyto`` calls and the bytes each moves (read + write): a large
    one (64 MB, main memory) and one over the step's own footprint (source and
    destination together as big as w, g, m, v), which stays in the caches as
    the step's arrays do inside an epoch."""
    probes = {}
    for name, size in (("large", COPY_BYTES // 4), ("footprint", 2 * n)):
        src = np.ones(size, np.float32)
        dst = np.empty_like(src)
        probes[name] = (lambda d=dst, s=src: np.copyto(d, s)), 2 * src.nbytes
    return probes


def adam_steps(n: int, dtype=np.float32) -> dict[str, Callable[[], None]]:
    """One Adam step on ``n`` parameters, per implementation."""
    from plainnet.backend import NumpyBackend
    from plainnet.backend.kernels import KERNELS, numba_installed
    from plainnet.backend.numpy_backend import adam_constants_in

    class Float64Constants(NumpyBackend):
        """The NumPy step with its constants left as float64 scalars."""

        def scalar(self, value, dtype):
            return np.float64(value)

    rng = np.random.default_rng(0)
    w, g, m = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(dtype)
    work = np.empty_like(w)
    settings = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, t=10)
    slow = Float64Constants(kernels="numpy").adam
    step = NumpyBackend(kernels="numpy").adam

    steps = {
        "numpy (float64 constants)": lambda: slow(w, g, m, v, work, **settings),
        "numpy": lambda: step(w, g, m, v, work, **settings),
    }
    if numba_installed():
        compiled = KERNELS["adam"].compiled
        args = adam_constants_in(dtype, *settings.values())
        compiled(w, g, m, v, *args)  # compile (or load from the cache) first
        steps["compiled"] = lambda: compiled(w, g, m, v, *args)
    return steps


def measure(n: int = N_PARAMS, rounds: int = 5, calls: int = 200) -> dict:
    """Both bandwidths, the limits for ``n`` float32 parameters, and each step's
    time (seconds)."""
    probes = bandwidth_probes(n)
    fns = {
        name: (lambda f=f, k=10 if name == "large" else calls: per_call(f, k, 1))
        for name, (f, _) in probes.items()
    }
    fns |= {
        name: (lambda f=f: per_call(f, calls, 1)) for name, f in adam_steps(n).items()
    }
    times, errors = interleaved(fns, rounds)
    best = {name: min(ts) for name, ts in times.items()}
    moved = ARRAYS_MOVED * n * 4
    limits = {name: moved * best.pop(name) / probes[name][1] for name in probes}
    return {"params": n, "limits_s": limits, "steps_s": best, "errors": errors}


def print_table(result: dict) -> None:
    limits = result["limits_s"]
    moved = ARRAYS_MOVED * result["params"] * 4
    print(
        f"   Adam step on {result['params']} float32 parameters; limit = 7 arrays "
        "moved at the bandwidth of np.copyto:"
    )
    for name, limit in limits.items():
        what = "64 MB (memory)" if name == "large" else "the step's footprint"
        print(
            f"     copyto of {what:<22} {moved / limit / 1e9:6.1f} GB/s -> limit "
            f"{limit * 1e3:.3f} ms"
        )
    print(f"   {'step':<28} {'time':>8}    x limit (large)  x limit (footprint)")
    for name, t in result["steps_s"].items():
        print(
            f"   {name:<28} {t * 1e3:6.3f}ms {t / limits['large']:10.2f}x "
            f"{t / limits['footprint']:15.2f}x"
        )
    if "compiled" not in result["steps_s"]:
        print("   compiled: skipped (numba not installed: pip install '.[fast]')")
    for name, error in result["errors"].items():
        print(f"   {name} failed: {error}")
    print("   target: compiled at most 1.50x the limit (large copyto)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--params", type=int, default=N_PARAMS)
    args = parser.parse_args()
    print_table(measure(args.params, args.rounds))


if __name__ == "__main__":
    main()
