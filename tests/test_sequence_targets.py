"""Cross-entropy on a sequence model's output ``(n, steps, classes)`` with one
label per position ``(n, steps)``: PyTorch's mean over every position, sample
weights counted at each position of their sample, and clear refusals of
targets that do not fit."""

import numpy as np
import pytest

import plainnet as pn
from plainnet.errors import DataError
from plainnet.gradcheck import check_model

V, STEPS, DIM = 7, 5, 8


def language_model(seed: int = 0) -> pn.Sequential:
    return pn.Sequential(
        [
            pn.Embedding(V, DIM),
            pn.PositionalEmbedding(STEPS, DIM),
            *pn.layers.transformer_block(DIM, 2, 16, causal=True),
            pn.LayerNorm(axes="last"),
            pn.Dense(V),
        ],
        input_shape=(STEPS,),
        seed=seed,
    )


def next_ids(n: int = 12, seed: int = 0):
    ids = np.random.default_rng(seed).integers(0, V, (n, STEPS + 1))
    return ids[:, :-1], ids[:, 1:]


def test_the_loss_is_pytorchs_over_every_position():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((4, STEPS, V)) * 3
    labels = rng.integers(0, V, (4, STEPS))
    loss = pn.CrossEntropy()
    value, grad = loss.value_and_gradient(logits, labels)
    z = torch.tensor(logits, requires_grad=True)
    theirs = torch.nn.functional.cross_entropy(
        z.reshape(-1, V), torch.tensor(labels).reshape(-1)
    )
    theirs.backward()
    assert float(value) == pytest.approx(theirs.item(), abs=1e-14)
    np.testing.assert_allclose(grad, z.grad.numpy(), rtol=0, atol=1e-15)


def test_a_samples_weight_counts_at_each_of_its_positions():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((3, STEPS, V))
    labels = rng.integers(0, V, (3, STEPS))
    weight = np.array([1.0, 2.0, 0.5])
    loss = pn.CrossEntropy()
    value, grad = loss.value_and_gradient(logits, labels, weight)
    repeated = np.repeat(weight, STEPS)  # one weight per position
    rows, per = logits.reshape(-1, V), labels.reshape(-1)
    each = np.log(np.exp(rows).sum(axis=1)) - rows[np.arange(len(per)), per]
    assert float(value) == pytest.approx((repeated @ each) / repeated.sum(), rel=1e-13)
    ones = loss.value_and_gradient(logits, labels, np.ones(3))
    assert float(ones[0]) == pytest.approx(float(loss.value(logits, labels)), rel=1e-14)
    assert grad.shape == logits.shape


def test_a_language_model_trains_and_its_gradients_are_exact():
    X, y = next_ids()
    net = language_model()
    errors = check_model(net, X[:3], y[:3], loss="cross_entropy")
    assert max(errors.values()) < 1e-7, errors
    history = net.fit(
        X, y, loss="cross_entropy", optimizer=pn.Adam(lr=1e-2), epochs=20,
        batch_size=4, validation_data=(X, y),
    )  # fmt: skip
    assert history.loss[-1] < 0.6 * history.loss[0]
    assert history.val_loss[-1] == pytest.approx(
        net.loss.value(net.predict(X), y), rel=1e-12
    )
    probabilities = net.predict_proba(X)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0)


@pytest.mark.parametrize(
    "y, message",
    [
        (
            np.zeros((12, STEPS + 1), int),
            r"y of shape \(n, 5\); got y of shape \(12, 6\)",
        ),
        (np.zeros((12,), int), r"got y of shape \(12,\)"),
        (np.full((12, STEPS), V), r"labels must be in \[0, 7\).*from 7 to 7"),
        (np.full((12, STEPS), 0.5), "non-integer values"),
    ],
)
def test_targets_that_do_not_fit_the_positions_are_refused(y, message):
    X, _ = next_ids()
    with pytest.raises(DataError, match=message):
        language_model().fit(X, y, loss="cross_entropy")


def test_a_loss_for_flat_outputs_says_what_to_do_with_a_sequence():
    X, _ = next_ids()
    with pytest.raises(DataError, match=r"gives \(n, 5, 7\): end it with Flatten"):
        language_model().fit(X, np.zeros((12, STEPS, V)), loss="mse")
