"""Helpers shared by the benchmarks: best-of-N timing, the BLAS environment,
and re-running a script in a subprocess with the OpenBLAS tuning variables unset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

K = TypeVar("K")

# Variables some machines set to steer OpenBLAS's kernel choice and blocking.
BLAS_ENV_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Fastest wall-clock time of ``repeat`` calls of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_call(fn: Callable[[], object], calls: int, repeat: int = 3) -> float:
    """Best-of-``repeat`` time of one call of ``fn()``, each round ``calls`` calls."""

    def many() -> None:
        for _ in range(calls):
            fn()

    return best_of(many, repeat) / calls


#: Seconds to wait before each timed function when libraries with thread
#: pools of their own take turns (see ``interleaved``)
SETTLE_S = 1.0


def interleaved(
    fns: dict[K, Callable[[], float]], rounds: int = 3, settle: float = 0.0
) -> tuple[dict[K, list[float]], dict[K, str]]:
    """Every timing function's times over ``rounds`` rounds, the rounds
    interleaved so that a burst of load from elsewhere on a shared machine hits
    all alike; the caller takes the best (min) and can see the spread.

    ``settle`` seconds pass before each function runs. OpenBLAS's and OpenMP's
    worker threads keep spinning for a while after a parallel call, and on two
    cores the threads one library leaves spinning slow the next one down: with
    no pause, PyTorch's epoch of a small CNN right after plainnet's took twice
    its time alone. A second lets them go to sleep (``SETTLE_S``).

    Each function returns its own time in seconds. One that raises is dropped
    and its error returned instead.
    """
    times: dict[K, list[float]] = {}
    errors: dict[K, str] = {}
    for _ in range(rounds):
        for key, fn in fns.items():
            if key in errors:
                continue
            time.sleep(settle)
            try:
                times.setdefault(key, []).append(fn())
            except Exception as exc:
                errors[key] = repr(exc)
                times.pop(key, None)
    return times, errors


def blas_env() -> dict[str, str | None]:
    """The OpenBLAS tuning variables as this process sees them (None: unset)."""
    return {name: os.environ.get(name) for name in BLAS_ENV_VARS}


def blas_info() -> list[dict[str, Any]]:
    """The BLAS and OpenMP libraries loaded in this process (threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "version", "architecture", "num_threads")
    return [
        {"from": Path(info["filepath"]).parent.name}
        | {k: info[k] for k in keys if info.get(k)}
        for info in threadpool_info()
    ]


def torch_status() -> str | None:
    """None if PyTorch imports (its threads set to NumPy's BLAS threads)."""
    try:
        import torch
    except ImportError as exc:
        return f"not installed ({exc})"
    threads = [i.get("num_threads") for i in blas_info() if i.get("num_threads")]
    if threads:
        torch.set_num_threads(int(threads[0]))
    return None


def torch_adam_epoch(
    make_model: Callable[[], Any], X, y, batch: int, lr: float
) -> Callable[[], None]:
    """One PyTorch training epoch, for timing: a fresh model from
    ``make_model()`` (seeded 0), Adam(``lr``), cross-entropy, the rows of
    ``X`` and ``y`` (NumPy arrays) in order, ``batch`` at a time."""
    import torch

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    slices = [slice(s, s + batch) for s in range(0, len(X), batch)]

    def fit() -> None:
        torch.manual_seed(0)
        model = make_model()
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        for s in slices:
            opt.zero_grad()
            loss_fn(model(Xt[s]), yt[s]).backward()
            opt.step()

    return fit


def run_json_child(
    script: Path, args: Sequence[str], unset: Sequence[str] = ()
) -> dict[str, Any]:
    """Run ``script args --json FILE`` in a fresh interpreter with ``unset``
    removed from its environment, and return the JSON it wrote.

    The child's stdout and stderr pass through, so its own table prints.
    """
    env = {k: v for k, v in os.environ.items() if k not in unset}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "child.json"
        cmd = [sys.executable, str(script), *args, "--json", str(out)]
        subprocess.run(cmd, env=env, check=True)
        return json.loads(out.read_text())
