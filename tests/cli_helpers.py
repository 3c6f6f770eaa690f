"""Running the real ``plainnet`` command in a subprocess, on files a test writes."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import plainnet

SOURCE = str(Path(plainnet.__file__).resolve().parent.parent)
SPECIES = ("setosa", "versicolor", "virginica")


def environment(**extra: str) -> dict[str, str]:
    """The environment of a subprocess that imports this very plainnet."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE, env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def command(*args) -> list[str]:
    return [sys.executable, "-m", "plainnet", *map(str, args)]


def plainnet_cli(*args, cwd, **extra_env: str) -> subprocess.CompletedProcess:
    """Run ``python -m plainnet ARGS`` and return its exit code and output."""
    return subprocess.run(
        command(*args),
        cwd=cwd,
        env=environment(**extra_env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_flowers(path: Path, n: int = 90, seed: int = 1) -> Path:
    """A CSV of three well separated species with string labels."""
    rng = np.random.default_rng(seed)
    lines = ["sepal_length,sepal_width,petal_length,species"]
    for i in range(n):
        c = i % 3
        x = rng.normal([5 + c, 3 + 0.3 * c, 1.5 + 2 * c], 0.3)
        lines.append(f"{x[0]:.2f},{x[1]:.2f},{x[2]:.2f},{SPECIES[c]}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_prices(path: Path, n: int = 80, seed: int = 2) -> Path:
    """A CSV with a numeric target: price = 3 * size - 2 * age + noise."""
    rng = np.random.default_rng(seed)
    size, age = rng.uniform(20, 200, n), rng.uniform(0, 50, n)
    price = 3 * size - 2 * age + rng.normal(0, 5, n)
    lines = ["size,age,price"] + [
        f"{s:.1f},{a:.1f},{p:.2f}" for s, a, p in zip(size, age, price, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def start_until(*args, cwd, line: str, **extra_env: str) -> subprocess.Popen:
    """Start ``python -m plainnet ARGS`` and return it once it has printed a
    line holding ``line`` (the rest of its output is left to read)."""
    process = subprocess.Popen(
        command(*args),
        cwd=cwd,
        env=environment(**extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for printed in process.stdout:
        if line in printed:
            break
    return process


def start_long_training(folder: Path) -> subprocess.Popen:
    """``plainnet train`` on flowers.csv for practically ever (to be stopped by a
    signal), returned once its epochs have begun, writing best.npz."""
    write_flowers(folder / "flowers.csv", n=300)
    return start_until(
        "train",
        "flowers.csv",
        "--target",
        "species",
        "--epochs",
        100000,
        "--patience",
        100000,
        "--out",
        "best.npz",
        cwd=folder,
        line="Ctrl-C stops",
    )
