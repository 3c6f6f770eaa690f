"""Attention and the Transformer block against PyTorch, exactly (float64,
weights copied across): ``nn.MultiheadAttention(batch_first=True)`` with and
without a causal mask, and a whole pre-norm block against
``nn.TransformerEncoderLayer``, forward and gradients to 1e-10. Then what
attention must do on its own: stay finite for huge scores, never look ahead
when causal, and refuse what it cannot take, saying why."""

import warnings

import numpy as np
import pytest

import plainnet as pn
from plainnet.gradcheck import check_model
from plainnet.layers import ShapeError, transformer_block

torch = pytest.importorskip("torch")

N, STEPS, DIM, HEADS, HIDDEN = 3, 7, 12, 3, 20
TOLERANCE = 1e-10


def random_weights(net: pn.Sequential, seed: int = 0, scale: float = 0.3) -> None:
    """Every parameter random and non-zero (biases and LayerNorm's too), so
    that a bias or a scale taken from the wrong place cannot pass."""
    rng = np.random.default_rng(seed)
    net.parameters[...] = scale * rng.standard_normal(net.parameters.shape)


def tensor(array: np.ndarray, grad: bool = False):
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def copy_attention(layer: pn.MultiHeadAttention, mha) -> None:
    """plainnet's parameters into a ``torch.nn.MultiheadAttention`` (the same
    names and layout)."""
    with torch.no_grad():
        mha.in_proj_weight.copy_(tensor(layer.params["in_proj_weight"]))
        mha.in_proj_bias.copy_(tensor(layer.params["in_proj_bias"]))
        mha.out_proj.weight.copy_(tensor(layer.params["out_proj_weight"]))
        mha.out_proj.bias.copy_(tensor(layer.params["out_proj_bias"]))


def future_mask(steps: int):
    """PyTorch's boolean causal mask: True above the diagonal (not attended)."""
    return torch.triu(torch.ones(steps, steps, dtype=torch.bool), diagonal=1)


def forward_backward(net: pn.Sequential, X, G):
    """plainnet's output, input gradient and parameter gradients by name."""
    y = net.forward(X, training=True)
    dx = net.backward(G, need_input_grad=True)
    grads = {
        name: net.gradients[part].reshape(shape).copy()
        for name, (part, shape) in net.layout.items()
    }
    return y.copy(), dx.copy(), grads


@pytest.mark.parametrize("causal", [False, True])
def test_attention_is_pytorchs_forward_and_backward(causal):
    net = pn.Sequential(
        [pn.MultiHeadAttention(HEADS, causal=causal)], input_shape=(STEPS, DIM), seed=0
    )
    random_weights(net)
    layer = net.layers[0]
    mha = torch.nn.MultiheadAttention(DIM, HEADS, batch_first=True, dtype=torch.float64)
    copy_attention(layer, mha)
    rng = np.random.default_rng(1)
    X, G = rng.standard_normal((2, N, STEPS, DIM))
    y, dx, grads = forward_backward(net, X, G)
    xt = tensor(X, grad=True)
    mask = future_mask(STEPS) if causal else None
    yt, _ = mha(xt, xt, xt, attn_mask=mask, need_weights=False)
    yt.backward(tensor(G))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=TOLERANCE)
    theirs = {
        "in_proj_weight": mha.in_proj_weight.grad,
        "in_proj_bias": mha.in_proj_bias.grad,
        "out_proj_weight": mha.out_proj.weight.grad,
        "out_proj_bias": mha.out_proj.bias.grad,
    }
    for name, grad in theirs.items():
        np.testing.assert_allclose(
            grads[f"layers.0.{name}"],
            grad.numpy(),
            rtol=0,
            atol=TOLERANCE,
            err_msg=name,
        )
    np.testing.assert_array_equal(net.predict(X), y)  # predict: the same numbers


def copy_block(net: pn.Sequential, block) -> None:
    """A plainnet block (two Residuals) into ``nn.TransformerEncoderLayer``:
    LayerNorms, attention, and the two Linear layers (``W`` transposed)."""
    attention, feed_forward = net.layers
    norm1, mha = attention.layers
    norm2, linear1, _, linear2 = feed_forward.layers
    copy_attention(mha, block.self_attn)
    with torch.no_grad():
        for ours, theirs in ((norm1, block.norm1), (norm2, block.norm2)):
            theirs.weight.copy_(tensor(ours.params["gamma"]))
            theirs.bias.copy_(tensor(ours.params["beta"]))
        for ours, theirs in ((linear1, block.linear1), (linear2, block.linear2)):
            theirs.weight.copy_(tensor(ours.params["W"].T))
            theirs.bias.copy_(tensor(ours.params["b"]))


@pytest.mark.parametrize("causal", [False, True])
def test_a_block_is_pytorchs_pre_norm_encoder_layer(causal):
    net = pn.Sequential(
        transformer_block(DIM, HEADS, HIDDEN, causal=causal),
        input_shape=(STEPS, DIM),
        seed=0,
    )
    random_weights(net, seed=2, scale=0.5)
    block = torch.nn.TransformerEncoderLayer(
        DIM,
        HEADS,
        HIDDEN,
        dropout=0.0,
        activation="gelu",
        batch_first=True,
        norm_first=True,
        dtype=torch.float64,
    )
    copy_block(net, block)
    rng = np.random.default_rng(3)
    X, G = rng.standard_normal((2, N, STEPS, DIM))
    y, dx, grads = forward_backward(net, X, G)
    xt = tensor(X, grad=True)
    mask = future_mask(STEPS) if causal else None
    yt = block(xt, src_mask=mask, is_causal=causal)
    yt.backward(tensor(G))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=TOLERANCE)
    theirs = {
        "layers.0.0.gamma": block.norm1.weight.grad,
        "layers.0.0.beta": block.norm1.bias.grad,
        "layers.0.1.in_proj_weight": block.self_attn.in_proj_weight.grad,
        "layers.0.1.in_proj_bias": block.self_attn.in_proj_bias.grad,
        "layers.0.1.out_proj_weight": block.self_attn.out_proj.weight.grad,
        "layers.0.1.out_proj_bias": block.self_attn.out_proj.bias.grad,
        "layers.1.0.gamma": block.norm2.weight.grad,
        "layers.1.0.beta": block.norm2.bias.grad,
        "layers.1.1.W": block.linear1.weight.grad.T,
        "layers.1.1.b": block.linear1.bias.grad,
        "layers.1.3.W": block.linear2.weight.grad.T,
        "layers.1.3.b": block.linear2.bias.grad,
    }
    assert theirs.keys() == grads.keys()
    for name, grad in theirs.items():
        np.testing.assert_allclose(
            grads[name], grad.numpy(), rtol=0, atol=TOLERANCE, err_msg=name
        )


def test_gelu_and_layernorm_over_the_last_axis_are_pytorchs():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((4, 5, 6)) * 3
    G = rng.standard_normal((4, 5, 6))
    for ours, theirs in (
        (pn.GELU(), torch.nn.GELU()),
        (pn.LayerNorm(axes="last"), torch.nn.LayerNorm(6, dtype=torch.float64)),
    ):
        net = pn.Sequential([ours], input_shape=(5, 6), seed=0)
        if ours.params:
            random_weights(net, seed=5)
            with torch.no_grad():
                theirs.weight.copy_(tensor(ours.params["gamma"]))
                theirs.bias.copy_(tensor(ours.params["beta"]))
        y, dx, _ = forward_backward(net, X, G)
        xt = tensor(X, grad=True)
        yt = theirs(xt)
        yt.backward(tensor(G))
        np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-14)
        np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("causal", [False, True])
def test_scores_of_plus_minus_1e4_stay_finite(causal, dtype):
    """Queries and keys so large that the scores reach +-1e4: the softmax
    subtracts each row's maximum, so nothing overflows, no warning, and the
    gradients stay finite."""
    net = pn.Sequential(
        [pn.MultiHeadAttention(1, causal=causal)],
        input_shape=(4, 2),
        seed=0,
        dtype=dtype,
    )
    layer = net.layers[0]
    layer.params["in_proj_weight"][...] = 0.0
    layer.params["in_proj_weight"][:4, :] = 120 * np.vstack([np.eye(2), np.eye(2)])
    X = np.array([[[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]]).astype(dtype)
    raw = 120**2 * X[0] @ X[0].T / np.sqrt(2)  # Q K^T / sqrt(d)
    assert raw.max() > 1e4 and raw.min() < -1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = net.forward(X, training=True)
        scores = layer.saved["P"]
        dx = net.backward(np.ones_like(y), need_input_grad=True)
        predicted = net.predict(X)
    assert (
        np.isfinite(y).all() and np.isfinite(dx).all() and np.isfinite(predicted).all()
    )
    assert np.isfinite(net.gradients).all()
    np.testing.assert_allclose(scores.sum(axis=-1), 1, rtol=1e-6)
    assert scores.max() == 1  # one key wins outright: exp(-1e4) is 0


def test_a_causal_step_never_sees_the_steps_after_it():
    net = pn.Sequential(
        transformer_block(8, 2, 16, causal=True), input_shape=(6, 8), seed=0
    )
    random_weights(net)
    X = np.random.default_rng(6).standard_normal((2, 6, 8))
    later = X.copy()
    later[:, 4:, :] += 10.0  # change the last two steps only
    before, after = net.predict(X), net.predict(later)
    np.testing.assert_array_equal(before[:, :4], after[:, :4])
    assert not np.allclose(before[:, 4:], after[:, 4:])


def test_attention_dropout_trains_only_and_its_gradient_is_exact():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2, 5, 4))
    net = pn.Sequential(
        [pn.MultiHeadAttention(2, causal=True, dropout=0.4)], input_shape=(5, 4), seed=0
    )
    random_weights(net)
    assert net.layers[0].rng is net.rng  # masks from the network's seed
    errors = check_model(net, X)
    assert max(errors.values()) < 1e-7, errors
    without = pn.Sequential([pn.MultiHeadAttention(2, causal=True)], input_shape=(5, 4))
    without.parameters[...] = net.parameters
    np.testing.assert_array_equal(net.predict(X), without.predict(X))
    dropped = net.forward(X, training=True)
    assert not np.allclose(dropped, without.predict(X))


def test_dim_not_divisible_by_heads_is_refused_naming_both():
    with pytest.raises(ShapeError) as error:
        pn.Sequential([pn.MultiHeadAttention(heads=4)], input_shape=(10, 30))
    message = str(error.value)
    assert "dim=30 is not a multiple of 4" in message
    assert "[1, 2, 3, 5, 6, 10, 15, 30]" in message  # the heads that would do


def test_attention_takes_sequences_only():
    with pytest.raises(ShapeError, match=r"expects \(n, steps, dim\).*\(n, 1, 8, 8\)"):
        pn.Sequential([pn.MultiHeadAttention(2)], input_shape=(1, 8, 8))


def test_a_sequence_longer_than_max_steps_is_refused_saying_what_to_do():
    with pytest.raises(ShapeError) as error:
        pn.Sequential([pn.PositionalEmbedding(64, 8)], input_shape=(100, 8))
    message = str(error.value)
    assert "at most 64 steps (max_steps), but the sequences have 100" in message
    assert "max_steps=100" in message and "cut the sequences to 64" in message
    with pytest.raises(ShapeError, match="expects 8 features per step"):
        pn.Sequential([pn.PositionalEmbedding(64, 8)], input_shape=(10, 9))


def test_a_shorter_sequence_uses_the_first_positions():
    net = pn.Sequential([pn.PositionalEmbedding(9, 3)], input_shape=(4, 3), seed=0)
    X = np.zeros((2, 4, 3))
    np.testing.assert_array_equal(net.predict(X)[1], net.layers[0].params["W"][:4])
    net.forward(X, training=True)
    net.backward(np.ones((2, 4, 3)))
    grad = net.layers[0].grads["W"]
    np.testing.assert_array_equal(grad[:4], 2.0)
    np.testing.assert_array_equal(grad[4:], 0.0)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: pn.MultiHeadAttention(0), "heads must be a positive int, got 0"),
        (lambda: pn.MultiHeadAttention(2, causal=1), "causal must be True or False"),
        (lambda: pn.MultiHeadAttention(2, dropout=1.0), r"dropout must be in \[0, 1\)"),
        (lambda: pn.PositionalEmbedding(0, 4), "max_steps must be a positive int"),
        (lambda: pn.LayerNorm(axes="first"), "axes must be 'all'.*or 'last'"),
    ],
)
def test_bad_settings_are_refused_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_transformer_block_is_two_residuals_with_pytorchs_dropout_places():
    plain = transformer_block(8, 2, 32)
    assert [type(layer).__name__ for layer in plain] == ["Residual", "Residual"]
    assert [type(layer).__name__ for layer in plain[1].layers] == [
        "LayerNorm",
        "Dense",
        "GELU",
        "Dense",
    ]
    assert all(
        inner.axes == "last" for inner in (plain[0].layers[0], plain[1].layers[0])
    )
    dropping = transformer_block(8, 2, 32, causal=True, dropout=0.1)
    attention = dropping[0].layers[1]
    assert attention.causal and attention.dropout == 0.1
    assert [type(layer).__name__ for layer in dropping[1].layers] == [
        "LayerNorm",
        "Dense",
        "GELU",
        "Dropout",
        "Dense",
        "Dropout",
    ]


@pytest.mark.parametrize("causal", [False, True])
def test_attention_weights_are_pytorchs_per_head(causal):
    net = pn.Sequential(
        [pn.MultiHeadAttention(HEADS, causal=causal)], input_shape=(STEPS, DIM), seed=0
    )
    random_weights(net, seed=8)
    layer = net.layers[0]
    mha = torch.nn.MultiheadAttention(DIM, HEADS, batch_first=True, dtype=torch.float64)
    copy_attention(layer, mha)
    X = np.random.default_rng(9).standard_normal((N, STEPS, DIM))
    weights = layer.attention_weights(X)
    xt = tensor(X)
    mask = future_mask(STEPS) if causal else None
    _, theirs = mha(xt, xt, xt, attn_mask=mask, average_attn_weights=False)
    np.testing.assert_allclose(weights, theirs.detach().numpy(), rtol=0, atol=1e-13)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    if causal:
        assert np.all(np.triu(weights, k=1) == 0)
    assert layer.saved == {}
