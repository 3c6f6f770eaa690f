"""Loss values in closed form, stability at the extremes, and target checks."""

import numpy as np
import pytest

import plainnet as pn
from plainnet import losses


def test_sse_is_half_the_sum_of_squares_with_the_seeds_error_as_gradient():
    output, target = np.array([[0.25], [0.5]]), np.array([[1.0], [0.0]])
    value, grad = pn.SSE().value_and_gradient(output, target)
    assert value == pytest.approx(0.5 * (0.75**2 + 0.5**2))
    np.testing.assert_array_equal(grad, output - target)


def test_mse_matches_its_definition():
    output, target = (
        np.array([[1.0, 2.0], [3.0, 4.0]]),
        np.array([[0.0, 2.0], [5.0, 4.0]]),
    )
    value, grad = pn.MSE().value_and_gradient(output, target)
    assert value == pytest.approx((1 + 4) / 4)
    np.testing.assert_allclose(grad, 2 * (output - target) / 4)


def test_cross_entropy_matches_minus_log_softmax():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    labels = np.array([2, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[[0, 1], labels]))
    value, grad = pn.CrossEntropy().value_and_gradient(z, labels)
    assert value == pytest.approx(expected)
    np.testing.assert_allclose(grad, (p - np.eye(3)[labels]) / 2)
    # one-hot targets give the same value and gradient
    onehot_value, onehot_grad = pn.CrossEntropy().value_and_gradient(
        z, np.eye(3)[labels]
    )
    assert onehot_value == pytest.approx(expected)
    np.testing.assert_allclose(onehot_grad, grad)


def test_binary_cross_entropy_matches_its_definition():
    z, t = np.array([[0.5, -1.0]]), np.array([[1.0, 0.0]])
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    value, grad = pn.BinaryCrossEntropy().value_and_gradient(z, t)
    assert value == pytest.approx(expected)
    np.testing.assert_allclose(grad, (p - t) / 2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_extreme_logits_stay_finite_without_warnings(dtype, no_warnings):
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [0.0, 0.0]], dtype=dtype)
    for loss, target in [
        (pn.CrossEntropy(), np.array([0, 0, 1])),
        (pn.CrossEntropy(), np.eye(2, dtype=dtype)[[1, 1, 0]]),
        (pn.BinaryCrossEntropy(), np.array([[0, 1], [1, 0], [1, 1]], dtype)),
    ]:
        target = loss.prepare_target(target, 2, np.dtype(dtype))
        value, grad = loss.value_and_gradient(z, target)
        assert np.isfinite(value) and np.isfinite(grad).all()
        # each case: two samples wrong by a margin of 2000, one undecided (log 2)
        assert value == pytest.approx((2000 + np.log(2)) / 3, rel=1e-5)
        probabilities = loss.output_function(z)
        assert np.isfinite(probabilities).all()
        assert probabilities.min() >= 0 and probabilities.max() <= 1


def test_sigmoid_and_softmax_layers_at_the_extremes(no_warnings):
    z = np.array([[1000.0, -1000.0, 0.0]])
    np.testing.assert_array_equal(pn.Sigmoid().forward(z), [[1.0, 0.0, 0.5]])
    np.testing.assert_allclose(pn.Softmax().forward(z), [[1.0, 0.0, 0.0]])
    sse = pn.SSE()
    value, grad = sse.value_and_gradient(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert value == 1.0 and np.isfinite(grad).all()


def test_a_perfect_prediction_costs_nothing(no_warnings):
    value, _ = pn.BinaryCrossEntropy().value_and_gradient(
        np.array([[1000.0, -1000.0]]), np.array([[1.0, 0.0]])
    )
    assert value == 0.0


def test_labels_are_told_apart_from_one_hot_and_never_count_classes():
    loss = pn.CrossEntropy()
    labels = loss.prepare_target(np.array([0, 1, 1]), 4, np.dtype("float64"))
    assert labels.ndim == 1 and labels.dtype.kind == "i"
    onehot = loss.prepare_target(np.eye(4)[[0, 1, 1]], 4, np.dtype("float64"))
    assert onehot.shape == (3, 4)
    column = loss.prepare_target(np.array([[0], [3], [2]]), 4, np.dtype("float64"))
    np.testing.assert_array_equal(column, [0, 3, 2])


@pytest.mark.parametrize(
    "y, message",
    [
        (np.array([0, 1, 3]), r"class labels must be in \[0, 3\).*0 to 3"),
        (np.array([-1, 0, 1]), r"class labels must be in \[0, 3\)"),
        (np.array([0.5, 1.0, 2.0]), "non-integer"),
        (np.array([[0.5, 0.5, 0.5]] * 3), "summing to 1"),
        (np.eye(4)[[0, 1, 2]], r"y has shape \(3, 4\).*3 output"),
        (np.array(["a", "b", "c"]), "integer class labels"),
    ],
)
def test_bad_cross_entropy_targets(y, message):
    with pytest.raises(ValueError, match=message):
        pn.CrossEntropy().prepare_target(y, 3, np.dtype("float64"))


def test_cross_entropy_needs_two_outputs():
    with pytest.raises(ValueError, match="binary_cross_entropy"):
        pn.CrossEntropy().prepare_target(np.array([0, 1]), 1, np.dtype("float64"))


def test_binary_cross_entropy_targets_must_be_probabilities():
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        pn.BinaryCrossEntropy().prepare_target(np.array([0, 2]), 1, np.dtype("float64"))


def test_shapes_never_broadcast():
    with pytest.raises(
        ValueError, match=r"output has shape \(4, 1\).*target has shape \(4,\)"
    ):
        pn.MSE().value(np.zeros((4, 1)), np.zeros(4))


def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(ValueError, match="cross_entropy"):
        losses.get("hinge")
