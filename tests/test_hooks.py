"""Gradient hooks: the L2 penalty, clipping by the global norm, and their order,
with the arithmetic worked by hand on a 2-1 network (W = [3, 4], b = [7])."""

import numpy as np
import pytest

import plainnet as pn
from plainnet.hooks import L2Penalty, as_hook, chain, clip_by_global_norm


def linear_net() -> pn.Sequential:
    """Dense(2, 1) with W = [[3], [4]] and b = [7], in float64."""
    net = pn.Sequential([pn.Dense(2, 1)], seed=0, dtype="float64")
    net.layers[0].params["W"][...] = [[3.0], [4.0]]
    net.layers[0].params["b"][...] = [7.0]
    return net


def gradient(net, W, b) -> np.ndarray:
    """A flat gradient buffer holding ``W`` and ``b`` in the network's layout."""
    g = np.zeros_like(net.gradients)
    (w_part, _), (b_part, _) = net.layout["layers.0.W"], net.layout["layers.0.b"]
    g[w_part], g[b_part] = W, b
    return g


def test_l2_adds_alpha_w_over_n_to_the_weights_only():
    net = linear_net()
    g = gradient(net, [0.5, 2.0], [4.0])
    L2Penalty(net, alpha=2.0, n=4.0)(g)  # + 2 / 4 * [3, 4] = [1.5, 2]
    np.testing.assert_array_equal(g, gradient(net, [2.0, 4.0], [4.0]))
    # 2 / 2 * (3**2 + 4**2) / 4 = 6.25
    assert L2Penalty(net, alpha=2.0, n=4.0).value() == 6.25


def test_clipping_scales_to_the_max_norm_and_leaves_small_gradients():
    g = np.array([2.0, 4.0, 4.0])  # norm 6
    clip_by_global_norm(3.0)(g)
    np.testing.assert_array_equal(g, [1.0, 2.0, 2.0])
    clip_by_global_norm(3.0)(g)  # norm 3: already within the bound
    np.testing.assert_array_equal(g, [1.0, 2.0, 2.0])


def test_chain_applies_l2_then_clipping_in_order():
    net = linear_net()
    g = gradient(net, [0.5, 2.0], [4.0])
    # L2: [2, 4 | 4], norm 6; clipped to 3: [1, 2 | 2]
    chain(L2Penalty(net, 2.0, 4.0), clip_by_global_norm(3.0))(g)
    np.testing.assert_array_equal(g, gradient(net, [1.0, 2.0], [2.0]))


def test_the_other_order_clips_before_the_penalty():
    net = linear_net()
    g = gradient(net, [0.5, 2.0], [4.0])
    # norm 4.5 clipped to 3: * 2/3 = [1/3, 4/3 | 8/3]; then + [1.5, 2 | 0]
    chain(clip_by_global_norm(3.0), L2Penalty(net, 2.0, 4.0))(g)
    np.testing.assert_allclose(
        g, gradient(net, [1 / 3 + 1.5, 4 / 3 + 2.0], [8 / 3]), rtol=1e-15
    )


def test_fit_applies_a_sequence_of_hooks_in_order():
    net = pn.Sequential([pn.Dense(2, 3), pn.Tanh(), pn.Dense(3, 1)], seed=0)
    calls = []
    X, y = np.ones((4, 2)), np.zeros((4, 1))
    net.fit(
        X,
        y,
        epochs=2,
        grad_hook=[lambda g: calls.append("a"), lambda g: calls.append("b")],
    )
    assert calls == ["a", "b", "a", "b"]


def test_fit_with_clipping_takes_steps_of_the_clipped_gradient():
    X, y = np.array([[1.0, 2.0]]), np.array([[100.0]])
    clipped, plain = linear_net(), linear_net()
    clipped.fit(
        X, y, loss="sse", optimizer=pn.SGD(lr=1.0), grad_hook=clip_by_global_norm(1.0)
    )
    # sse gradient: (18 - 100) * [1, 2 | 1]; clipped to norm 1: [1, 2 | 1] / sqrt(6)
    step = np.array([1.0, 2.0, 1.0]) / np.sqrt(6)
    np.testing.assert_allclose(
        clipped.parameters - plain.parameters,
        gradient(plain, step[:2], step[2:]),
        rtol=1e-12,
    )


def test_bad_hooks_are_refused():
    with pytest.raises(TypeError, match="grad_hook must be a callable"):
        as_hook(3)
    with pytest.raises(TypeError, match="must be callable"):
        chain(print, "clip")
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        clip_by_global_norm(0)


def test_hooks_show_their_settings():
    net = linear_net()
    hook = chain(L2Penalty(net, 0.5, 8), clip_by_global_norm(2))
    assert repr(hook) == "chain(L2Penalty(alpha=0.5, n=8.0), clip_by_global_norm(2.0))"
