"""Sequential: building, training, dtypes, determinism."""

import numpy as np
import pytest

import plainnet as pn


def blobs(n=300, n_features=8, n_classes=3, seed=0, dtype="float32"):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    centers = 3 * rng.standard_normal((n_classes, n_features))
    X = centers[y] + rng.standard_normal((n, n_features))
    return X.astype(dtype), y


def mlp(n_in=8, n_out=3, seed=0, dtype="float32"):
    return pn.Sequential(
        [
            pn.Dense(n_in, 16),
            pn.ReLU(),
            pn.Dense(16, 16),
            pn.Tanh(),
            pn.Dense(16, n_out),
        ],
        seed=seed,
        dtype=dtype,
    )


def test_the_issue_example_runs():
    X, y = blobs(n=300, n_features=784, n_classes=10)
    net = pn.Sequential(
        [pn.Dense(784, 256), pn.ReLU(), pn.Dense(256, 10)], seed=0, dtype="float32"
    )
    history = net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=1e-3),
        epochs=1,
        batch_size=128,
        shuffle=False,
    )
    assert len(history.loss) == 1 and np.isfinite(history.loss[0])
    assert net.predict(X).shape == (300, 10)
    assert net.optimizer.state["step"] == 3  # 128 + 128 + 44


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_classifier_learns_blobs(dtype):
    X, y = blobs(dtype=dtype)
    net = mlp(dtype=dtype)
    history = net.fit(
        X, y, loss="cross_entropy", optimizer=pn.Adam(lr=0.01), epochs=30, batch_size=32
    )
    assert history.loss[-1] < 0.1 * history.loss[0]
    assert (net.predict(X).argmax(axis=1) == y).mean() > 0.97
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1, rtol=1e-5)


def test_regression_learns_a_smooth_function():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (400, 1))
    y = np.sin(X).ravel()
    net = pn.Sequential([pn.Dense(1, 32), pn.Tanh(), pn.Dense(32, 1)], seed=0)
    net.fit(X, y, loss="mse", optimizer=pn.Adam(lr=0.01), epochs=200, batch_size=50)
    assert np.mean((net.predict(X).ravel() - y) ** 2) < 1e-3


def test_float32_stays_float32_everywhere():
    X, y = blobs(n=100)
    net = mlp(dtype="float32")
    seen = []
    for layer in net.layers:
        original = layer.forward

        def forward(x, training=True, original=original):
            seen.append(x.dtype)
            out = original(x, training)
            seen.append(out.dtype)
            return out

        layer.forward = forward
    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(),
        epochs=2,
        batch_size=32,
        validation_data=(X[:20], y[:20]),
    )
    arrays = [
        net.parameters,
        net.gradients,
        net.predict(X),
        net.predict_proba(X),
        *[v for v in net.optimizer.state.values() if isinstance(v, np.ndarray)],
        *[g for layer in net.layers for g in layer.grads.values()],
    ]
    assert {a.dtype for a in arrays} == {np.dtype("float32")}
    assert set(seen) == {np.dtype("float32")}
    output = net.forward(X[:32], training=True)
    _, grad = net.loss.value_and_gradient(output, y[:32])
    assert grad.dtype == np.float32
    assert net.backward(grad, need_input_grad=True).dtype == np.float32


def test_same_seed_gives_bit_identical_runs():
    X, y = blobs()
    runs = []
    for _ in range(2):
        net = mlp(seed=7)
        history = net.fit(
            X,
            y,
            loss="cross_entropy",
            optimizer=pn.Adam(),
            epochs=3,
            batch_size=40,
            shuffle=True,
        )
        runs.append((net.parameters.copy(), list(history.loss)))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    other = mlp(seed=8)
    other.fit(X, y, loss="cross_entropy", optimizer=pn.Adam(), epochs=3, batch_size=40)
    assert not np.array_equal(other.parameters, runs[0][0])


def test_float32_and_float64_networks_start_from_the_same_weights():
    a, b = mlp(dtype="float32"), mlp(dtype="float64")
    np.testing.assert_array_equal(a.parameters, b.parameters.astype("float32"))


def test_integer_input_is_converted_never_truncated_and_never_modified():
    rng = np.random.default_rng(0)
    X_int = rng.integers(0, 256, (64, 4))
    X_copy = X_int.copy()
    y = (X_int[:, 0] > 127).astype(float)
    results = []
    for X in (X_int, X_int.astype(float)):
        net = pn.Sequential([pn.Dense(4, 1)], seed=0)
        net.fit(X, y, loss="binary_cross_entropy", optimizer=pn.SGD(lr=1e-5), epochs=3)
        results.append(net.parameters.copy())
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(X_int, X_copy)
    assert net.predict(np.array([[255, 0, 0, 1]])).dtype == np.float64


def test_callers_float_arrays_are_not_modified():
    X, y = blobs(dtype="float64")
    X_before, y_before = X.copy(), y.copy()
    mlp(dtype="float64").fit(X, y, loss="cross_entropy", epochs=2, batch_size=32)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_history_spans_fit_calls_and_validation_is_recorded():
    X, y = blobs()
    net = mlp()
    net.fit(X, y, loss="cross_entropy", epochs=2, validation_data=(X[:50], y[:50]))
    net.fit(X, y, epochs=3, validation_data=(X[:50], y[:50]))
    assert len(net.history.loss) == len(net.history.val_loss) == 5
    assert net.history["loss"] is net.history.loss


def test_callbacks_see_each_epoch_and_can_stop():
    X, y = blobs()
    seen = []
    mlp().fit(
        X,
        y,
        loss="cross_entropy",
        epochs=10,
        callbacks=[lambda epoch, logs: seen.append((epoch, logs)) or epoch == 4],
    )
    assert [epoch for epoch, _ in seen] == [1, 2, 3, 4]
    assert set(seen[0][1]) == {"epoch", "loss"}


def test_grad_hook_sees_complete_gradients_before_the_step():
    X, y = blobs(n=64)
    net = mlp()
    norms = []

    def clip(grads):
        norms.append(float(np.linalg.norm(grads)))
        grads *= 0.0  # a hook may change the gradients in place

    before = net.parameters.copy()
    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.SGD(lr=0.1),
        epochs=1,
        batch_size=16,
        grad_hook=clip,
    )
    assert len(norms) == 4 and all(n > 0 for n in norms)
    np.testing.assert_array_equal(net.parameters, before)


def test_layers_hold_views_into_one_flat_buffer():
    net = mlp()
    assert net.n_parameters == 8 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3
    net.parameters[:] = 0
    assert all(np.all(p == 0) for layer in net.layers for p in layer.params.values())
    names = list(net.named_parameters())
    assert names == [
        "layers.0.W",
        "layers.0.b",
        "layers.2.W",
        "layers.2.b",
        "layers.4.W",
        "layers.4.b",
    ]


def test_predict_is_repeatable_and_a_single_row_stays_2d():
    X, y = blobs()
    net = mlp()
    net.fit(X, y, loss="cross_entropy", epochs=1)
    assert net.predict(X[:1]).shape == (1, 3)
    first = net.predict(X[:5])
    net.predict(X[5:10])
    np.testing.assert_array_equal(net.predict(X[:5]), first)


def test_repr_and_config():
    net = pn.Sequential(
        [pn.Dense(2, 3, bias=False), pn.LeakyReLU(0.1)], dtype="float32"
    )
    assert "Dense(n_in=2, n_out=3, bias=False, init='glorot_uniform')" in repr(net)
    assert net.get_config() == {
        "layers": [
            {
                "class": "Dense",
                "config": {
                    "n_in": 2,
                    "n_out": 3,
                    "bias": False,
                    "init": "glorot_uniform",
                },
            },
            {"class": "LeakyReLU", "config": {"alpha": 0.1}},
        ],
        "dtype": "float32",
    }
    assert repr(pn.NeuralNetwork()).startswith("NeuralNetwork(sizes=[3, 1]")


@pytest.mark.parametrize(
    "first",
    [pn.ReLU(), pn.Dropout(0.5), pn.LeakyReLU(0.1), pn.Sigmoid(), pn.Identity()],
)
@pytest.mark.parametrize("n_rows", [5, 5000])  # one block, several blocks
def test_predict_never_writes_to_the_callers_array(first, n_rows):
    X = np.random.default_rng(0).standard_normal((n_rows, 4))
    before = X.copy()
    net = pn.Sequential(
        [first, pn.Dense(4, 6), pn.LeakyReLU(0.2), pn.Dense(6, 3), pn.Softmax()], seed=0
    )
    expected = net.forward(X, training=False)  # allocates every output afresh
    np.testing.assert_array_equal(net.predict(X), expected)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("n_rows", [5, 5000])
def test_predict_never_writes_through_a_view_of_the_callers_array(n_rows):
    """Flatten gives a view of its input: the activation after it must not
    work in place there."""
    X = np.random.default_rng(0).standard_normal((n_rows, 2, 3)) * 3
    before = X.copy()
    net = pn.Sequential(
        [pn.Flatten(), pn.Tanh(), pn.Dense(2)], seed=0, input_shape=(2, 3)
    )
    expected = net.forward(X, training=False)
    np.testing.assert_array_equal(net.predict(X), expected)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("name", sorted(pn.activations.ACTIVATIONS))
def test_every_activation_works_in_place(name):
    activation = pn.activations.get(name)
    x = np.random.default_rng(1).standard_normal((4, 5))
    expected = activation.function(x, np.empty_like(x))
    in_place = x.copy()
    assert activation.function(in_place, in_place) is in_place
    np.testing.assert_array_equal(in_place, expected)
