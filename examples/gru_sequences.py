"""An MLP, a 1-D CNN and a GRU on the same shifted waveforms.

    python examples/gru_sequences.py [--samples 3000] [--seeds 3]

The task of ``examples/cnn_sequences.py``: four classes of waveform (sine,
square, sawtooth, triangle) at a random period, phase (a shift in time),
amplitude and offset, plus noise; 64 time steps. The MLP sees 64 unrelated
numbers; the CNN's filters slide along the sequence; the GRU reads it one step
at a time, ``(n, 64, 1)``, carrying 32 numbers from each step to the next, and
the class is read from its last state. Neither of the last two cares where a
shape occurred. Prints each model's test accuracy and fit time per seed, then
their means. Needs scikit-learn (pip install ".[sklearn]" from a checkout).
"""

from cnn_sequences import LENGTH, models
from cnn_sequences import main as compare

import plainnet as pn


def all_models(seed: int) -> dict[str, pn.NeuralNetClassifier]:
    """cnn_sequences.py's MLP and CNN, and a GRU with the same training."""
    gru = pn.NeuralNetClassifier(
        layers=[pn.GRU(32)], input_shape=(LENGTH, 1), learning_rate=3e-3,
        batch_size=64, random_state=seed, early_stopping=True, max_epochs=200,
    )  # fmt: skip
    return {**models(seed), "GRU(32)": gru}


if __name__ == "__main__":
    compare(all_models, __doc__)
