"""What ``pn.Diagnostics()`` costs: the MLP epoch benchmark's training (see
``mlp_epoch.py``) with and without the callback, as a ratio measured in one run.

    python benchmarks/diagnostics_cost.py [--samples N] [--epochs N] [--rounds N]
                                          [--quick]

Model and data as in ``mlp_epoch.py``: 784-256-128-10, ReLU, softmax
cross-entropy, Adam(1e-3), batch 128, float32, 60,000 seeded samples, no
shuffling. Each fit builds a fresh network and trains ``--epochs`` epochs (the
callback records after every one, its default). The rounds alternate
without/with the callback so that load from elsewhere hits both alike; each
figure is the best of the rounds. Target: a ratio of at most 1.10.

The script also times the callback's own methods inside the fits (a
``Diagnostics`` subclass with a clock around each call): the share of the
epoch they take is what the end-to-end ratio measures, without the noise of a
shared machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _timing import interleaved
from mlp_epoch import SIZES, make_data, plainnet_model

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def timed_diagnostics(spent: list[float]):
    """A ``Diagnostics`` adding the time spent in its own methods to ``spent``."""
    import plainnet as pn

    class Timed(pn.Diagnostics):
        def on_train_begin(self, net):
            start = time.perf_counter()
            super().on_train_begin(net)
            spent.append(time.perf_counter() - start)

        def on_epoch_end(self, epoch, logs, net):
            start = time.perf_counter()
            super().on_epoch_end(epoch, logs, net)
            spent.append(time.perf_counter() - start)

        def on_train_end(self, net):
            start = time.perf_counter()
            super().on_train_end(net)
            self.report()
            spent.append(time.perf_counter() - start)

    return Timed()


def timed_fit(X, y, epochs: int, diagnose: bool, spent: list[float]):
    """A function timing one fit of a fresh network (the building excluded);
    with ``diagnose``, the callback's own time of each fit goes to ``spent``."""
    import plainnet as pn

    def run() -> float:
        net = plainnet_model(SIZES)
        own: list[float] = []
        callbacks = [timed_diagnostics(own)] if diagnose else []
        start = time.perf_counter()
        net.fit(
            X,
            y,
            loss="cross_entropy",
            optimizer=pn.Adam(lr=1e-3),
            epochs=epochs,
            batch_size=128,
            shuffle=False,
            callbacks=callbacks,
        )
        elapsed = time.perf_counter() - start
        if diagnose:
            spent.append(sum(own))
        return elapsed

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="6,000 samples, 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.rounds = 6_000, 2
    X, y = make_data(args.samples)
    spent: list[float] = []
    times, errors = interleaved(
        {
            "without": timed_fit(X, y, args.epochs, False, spent),
            "with Diagnostics()": timed_fit(X, y, args.epochs, True, spent),
        },
        rounds=args.rounds,
    )
    if errors:
        print(errors, file=sys.stderr)
        return 1
    base = min(times["without"])
    print(
        f"{'-'.join(map(str, SIZES))}, {args.samples:,} samples, {args.epochs} "
        f"epoch(s), best of {args.rounds} interleaved rounds"
    )
    for name, values in times.items():
        spread = max(values) / min(values)
        print(
            f"{name:<20} {min(values):8.3f} s   {min(values) / base:5.3f}x"
            f"   (slowest round {spread:.2f}x the best)"
        )
    own = min(spent)
    print(
        f"the callback's own methods: {own * 1e3:.1f} ms per fit, "
        f"{own / base:.2%} of the fit without it (best round; the least noisy "
        "figure on a busy machine)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
