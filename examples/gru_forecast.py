"""Forecasting a noisy seasonal series: a GRU against a linear model.

    python examples/gru_forecast.py [--length 5000] [--epochs 25]

The series is hourly: a daily cycle (two harmonics, period 24) whose amplitude
swells and shrinks with a slow hidden level, which also shifts the series,
plus noise::

    y_t = season(t) * exp(0.6 a_t) + 0.5 a_t + noise,   a_t = 0.98 a_{t-1} + noise

Each model sees the last 48 hours and forecasts the next 12. The first 80% of
the series trains, the rest tests. Baselines: the seasonal naive forecast (the
same hour one day before) and a linear model fitted by least squares on the 48
values (an autoregression, one per hour ahead). The GRU reads the 48 hours one
at a time, ``(n, 48, 1)``, and a Dense layer maps its last state to the 12
hours ahead; it can learn that the cycle's size follows the level, which a
linear model cannot. Prints each model's root mean squared error on the test
part, overall and at 1, 6 and 12 hours ahead, and the GRU's fit time.
"""

import argparse
import time

import numpy as np

import plainnet as pn

PERIOD, WINDOW, HORIZON = 24, 48, 12


def series(length: int, seed: int = 0) -> np.ndarray:
    """The seasonal series above, of ``length`` hours."""
    rng = np.random.default_rng(seed)
    level = np.zeros(length)
    shocks = rng.normal(0, 0.2, length)
    for t in range(1, length):
        level[t] = 0.98 * level[t - 1] + shocks[t]
    phase = 2 * np.pi * np.arange(length) / PERIOD
    season = np.sin(phase) + 0.4 * np.sin(2 * phase)
    return season * np.exp(0.6 * level) + 0.5 * level + rng.normal(0, 0.2, length)


def windows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every 48 consecutive hours ``(n, 48)`` and the 12 after them ``(n, 12)``."""
    starts = np.arange(len(values) - WINDOW - HORIZON + 1)[:, None]
    ahead = starts + WINDOW + np.arange(HORIZON)
    return values[starts + np.arange(WINDOW)], values[ahead]


def errors(forecast: np.ndarray, actual: np.ndarray) -> str:
    """The root mean squared error overall and at 1, 6 and 12 hours ahead."""
    by_hour = np.sqrt(np.mean((forecast - actual) ** 2, axis=0))
    overall = np.sqrt(np.mean((forecast - actual) ** 2))
    hours = "".join(f"{by_hour[h - 1]:7.3f}" for h in (1, 6, 12))
    return f"{overall:7.3f}{hours}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=5000)
    parser.add_argument("--epochs", type=int, default=25)
    args = parser.parse_args()
    values = series(args.length)
    split = int(0.8 * args.length)
    X_train, Y_train = windows(values[:split])
    X_test, Y_test = windows(values[split - WINDOW :])  # test targets after split

    seasonal_naive = X_test[:, WINDOW - PERIOD + np.arange(HORIZON) % PERIOD]
    with_one = np.column_stack([X_train, np.ones(len(X_train))])
    coefficients = np.linalg.lstsq(with_one, Y_train, rcond=None)[0]
    linear = np.column_stack([X_test, np.ones(len(X_test))]) @ coefficients

    mean, scale = X_train.mean(), X_train.std()  # standardise, as for any network
    net = pn.Sequential(
        [pn.GRU(16), pn.Dense(HORIZON)], seed=0, input_shape=(WINDOW, 1)
    )
    start = time.perf_counter()
    net.fit((X_train[..., None] - mean) / scale, (Y_train - mean) / scale,
            optimizer=pn.Adam(lr=3e-3), epochs=args.epochs, batch_size=64)  # fmt: skip
    seconds = time.perf_counter() - start
    gru = net.predict((X_test[..., None] - mean) / scale) * scale + mean

    print(f"{len(X_train)} training and {len(X_test)} test windows of {WINDOW} hours")
    print(f"{'RMSE of the forecasts':34}overall    1 h    6 h   12 h")
    print(f"{'  seasonal naive (a day before)':34}{errors(seasonal_naive, Y_test)}")
    print(f"{f'  linear on the last {WINDOW} hours':34}{errors(linear, Y_test)}")
    print(f"{f'  GRU(16) + Dense({HORIZON})':34}{errors(gru, Y_test)}")
    print(f"GRU fit: {args.epochs} epochs in {seconds:.1f} s")


if __name__ == "__main__":
    main()
