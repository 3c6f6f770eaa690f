"""Embedding and integer inputs end to end: the ids checked (naming a bad id
and its position), kept integer through batching and prediction, the
scatter-add gradient of repeated ids, padding_idx, and PyTorch's nn.Embedding."""

import numpy as np
import pytest

import plainnet as pn
from plainnet.errors import DataError
from plainnet.gradcheck import check_model


def embedding_net(vocab=6, dim=3, steps=4, **kwargs) -> pn.Sequential:
    return pn.Sequential(
        [pn.Embedding(vocab, dim, **kwargs), pn.Flatten(), pn.Dense(2)],
        seed=0,
        input_shape=(steps,),
    )


def test_forward_is_a_lookup_of_each_ids_row():
    net = embedding_net()
    W = net.layers[0].params["W"]
    ids = np.array([[0, 5, 5, 2], [3, 1, 0, 4]])
    out = net.layers[0].forward(ids, training=False)
    np.testing.assert_array_equal(out, W[ids])


def test_repeated_ids_add_their_gradients_up():
    layer = pn.Sequential([pn.Embedding(5, 2)], seed=0, input_shape=(3,)).layers[0]
    ids = np.array([[1, 1, 2], [1, 0, 0]])
    grad = np.arange(12.0).reshape(2, 3, 2)
    layer.forward(ids, training=True)
    assert layer.backward(grad) is None  # ids have no gradient
    dW = layer.grads["W"]
    np.testing.assert_array_equal(dW[1], grad[0, 0] + grad[0, 1] + grad[1, 0])
    np.testing.assert_array_equal(dW[0], grad[1, 1] + grad[1, 2])
    np.testing.assert_array_equal(dW[2], grad[0, 2])
    np.testing.assert_array_equal(dW[3:], 0.0)  # unseen ids: zero, not stale


def test_padding_row_starts_at_zero_gets_no_gradient_and_stays_zero():
    net = embedding_net(padding_idx=0)
    W = net.layers[0].params["W"]
    assert not W[0].any() and W[1:].all()
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 6, (32, 4)), rng.standard_normal((32, 2))
    X[:, -1] = 0  # padding at the end of every sequence
    net.forward(X, training=True)
    net.backward(np.ones((32, 2)))
    assert not net.layers[0].grads["W"][0].any()
    net.fit(X, y, optimizer=pn.Adam(lr=0.1, weight_decay=0.1), epochs=3, batch_size=8)
    assert not W[0].any()


def test_ids_stay_integers_through_batches_and_predict():
    net = embedding_net()
    seen = []
    forward = net.layers[0].forward
    net.layers[0].forward = lambda x, training=True: (
        seen.append(x.dtype) or forward(x, training)
    )
    rng = np.random.default_rng(1)
    X = rng.integers(0, 6, (10, 4)).astype(np.int32)
    before = X.copy()
    net.fit(X, rng.standard_normal((10, 2)), epochs=2, batch_size=3, shuffle=True)
    net.predict(X)
    assert set(seen) == {np.dtype("int64")}
    np.testing.assert_array_equal(X, before)  # the caller's array untouched
    assert net.predict(X).dtype == np.float64


def test_whole_floats_are_ids_and_an_unbuilt_network_learns_the_steps():
    net = pn.Sequential([pn.Embedding(6, 3), pn.Flatten(), pn.Dense(1)], seed=0)
    ids = np.array([[0, 1, 5], [2, 2, 3]])
    out = net.predict(ids.astype(float))
    assert net.input_shape == (3,)
    np.testing.assert_array_equal(out, net.predict(ids))


@pytest.mark.parametrize(
    "X, message",
    [
        (
            [[0, 1, 6, 2]],
            r"X holds 6 at position \(0, 2\), but layer 0 \(Embedding\(vocab_size=6"
            r".*takes ids from 0 to 5",
        ),
        ([[0, 1, 2, 3], [3, -1, 9, 0]], r"X holds -1 at position \(1, 1\).*\(2 such"),
        (
            [[0, 1.5, 2, 3]],
            r"X holds 1\.5 at position \(0, 1\), which is not a whole number: "
            r"layer 0 \(Embedding.*takes integer ids",
        ),
        ([[0, 1, np.nan, 3]], r"X holds nan at position \(0, 2\)"),
        (np.array([["a", "b", "c", "d"]]), r"must hold integer ids.*dtype <U1"),
        (np.array([[True, False, True, True]]), r"must hold integer ids.*dtype bool"),
        ([0, 1, 2, 3], r"2-D of shape \(n_samples, 4\).*X\.reshape\(1, -1\)"),
        ([[0, 1, 2]], r"X has samples of 3 ids, but the network expects 4"),
    ],
)
def test_bad_ids_are_named_with_their_position(X, message):
    net = embedding_net()
    with pytest.raises(DataError, match=message):
        net.predict(X)
    with pytest.raises(DataError, match=message):
        net.fit(X, np.zeros((np.shape(X)[0] if np.ndim(X) > 1 else 1, 2)))


def test_validation_ids_are_checked_too():
    net = embedding_net()
    X = np.zeros((4, 4), dtype=int)
    with pytest.raises(DataError, match=r"X_val holds 7 at position \(0, 0\)"):
        net.fit(X, np.zeros((4, 2)), validation_data=([[7, 0, 0, 0]], [[0.0, 0.0]]))


def test_a_layer_taking_ids_must_come_first():
    with pytest.raises(ValueError, match=r"layer 1 \(Embedding.*must be the network's"):
        pn.Sequential([pn.Dense(3), pn.Embedding(4, 2)])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"vocab_size": 0, "dim": 2}, "vocab_size must be a positive int, got 0"),
        ({"vocab_size": 4, "dim": 2.0}, "dim must be a positive int, got 2.0"),
        ({"vocab_size": 4, "dim": 2, "padding_idx": 4}, "below vocab_size=4, got 4"),
        ({"vocab_size": 4, "dim": 2, "padding_idx": -1}, "int >= 0, got -1"),
        ({"vocab_size": 4, "dim": 2, "init": "nope"}, "unknown initializer"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pn.Embedding(**kwargs)


def test_gradcheck_checks_the_weights_and_skips_the_ids():
    net = embedding_net()
    errors = check_model(net, np.array([[0, 1, 1, 5], [5, 5, 2, 0]]))
    assert "input" not in errors
    assert set(errors) == set(net.layout)
    assert max(errors.values()) < 1e-7


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_matches_pytorch(padding_idx):
    torch = pytest.importorskip("torch")
    net = pn.Sequential(
        [pn.Embedding(7, 5, padding_idx=padding_idx)], seed=3, input_shape=(6,)
    )
    ours = net.layers[0]
    theirs = torch.nn.Embedding(7, 5, padding_idx=padding_idx).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.params["W"]))
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, (4, 6))
    ids[0, :3] = 2  # the padding id, repeated
    grad = rng.standard_normal((4, 6, 5))
    out = net.forward(ids, training=True)
    net.backward(grad)
    expected = theirs(torch.from_numpy(ids))
    expected.backward(torch.from_numpy(grad))
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        ours.grads["W"], theirs.weight.grad.numpy(), rtol=0, atol=1e-10
    )


def test_ids_on_a_device_are_checked_there_and_kept():
    xp = pytest.importorskip("array_api_strict")
    net = pn.Sequential(
        [pn.Embedding(6, 3), pn.Flatten(), pn.Dense(2)],
        seed=0,
        input_shape=(4,),
        device="array_api_strict:device1",
    )
    device = xp.Device("device1")
    good = xp.asarray(np.array([[0, 1, 2, 5]]), device=device)
    assert net.check_input(good) is good
    np.testing.assert_array_equal(
        net.predict(np.array([[0, 1, 2, 5]])),
        net.ops.to_numpy(net.predict(good)),
    )
    bad = xp.asarray(np.array([[0, 1, 2, 6]]), device=device)
    with pytest.raises(DataError, match=r"X holds 6 at position \(0, 3\)"):
        net.predict(bad)
