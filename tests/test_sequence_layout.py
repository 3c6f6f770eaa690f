"""The layout of sequences: SwapAxes bridges a convolution's (n, channels,
length) and a recurrent layer's (n, steps, features)."""

import numpy as np
import pytest

import plainnet as pn


def test_swap_axes_turns_channels_first_into_steps_first_and_back():
    X = np.random.default_rng(0).standard_normal((3, 2, 5))
    net = pn.Sequential([pn.SwapAxes()], seed=0, input_shape=(2, 5))
    assert net.output_shape == (5, 2)
    Y = net.predict(X)
    np.testing.assert_array_equal(Y, X.transpose(0, 2, 1))
    assert Y.flags.c_contiguous
    net.forward(X, training=True)
    G = np.random.default_rng(1).standard_normal((3, 5, 2))
    np.testing.assert_array_equal(
        net.backward(G, need_input_grad=True), G.swapaxes(1, 2)
    )


def test_a_convolution_feeds_a_layer_that_takes_steps_first():
    net = pn.Sequential(
        [pn.Conv1D(1, 4, 5), pn.ReLU(), pn.SwapAxes(), pn.Flatten(), pn.Dense(3)],
        seed=0,
        input_shape=(1, 40),
    )
    assert net.layers[2].input_shape == (4, 36)
    assert net.layers[2].output_shape((4, 36)) == (36, 4)
    assert net.predict(np.zeros((2, 1, 40))).shape == (2, 3)


def test_swap_axes_names_the_shapes_it_takes():
    with pytest.raises(
        pn.layers.ShapeError,
        match=r"layer 0 \(SwapAxes\(\)\) expects "
        r"samples of two axes, \(n, channels, length\) or \(n, steps",
    ):
        pn.Sequential([pn.SwapAxes()], input_shape=(4,))
