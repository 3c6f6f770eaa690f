"""The seed's own example, reproduced exactly, and its vocabulary."""

import numpy as np
import pytest

import plainnet as pn
from plainnet.classic import seed_training_set
from plainnet.cli import main

# Published in the seed's guide (printed to 8 decimals).
START = [-0.16595599, 0.44064899, -0.99977125]
END = [10.08740896, -0.20695366, -4.83757835]
NEW_SITUATION_OUTPUT = 0.9999584

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])


def seed_program(iterations=15000):
    """The seed's algorithm, written out by hand."""
    inputs, outputs = seed_training_set()
    np.random.seed(1)
    weights = 2 * np.random.random((3, 1)) - 1
    inputs = inputs.astype(float)
    for _ in range(iterations):
        output = 1 / (1 + np.exp(-np.dot(inputs, weights)))
        error = outputs - output
        weights += np.dot(inputs.T, error * (output * (1 - output)))
    return weights


def test_starting_weights_are_the_seeds():
    assert np.allclose(
        pn.NeuralNetwork([3, 1]).synaptic_weights.ravel(), START, atol=1e-8
    )


def test_training_reproduces_the_seed_program_and_its_published_numbers():
    inputs, outputs = seed_training_set()
    network = pn.NeuralNetwork([3, 1])
    network.train(inputs, outputs, iterations=15000)
    np.testing.assert_allclose(
        network.synaptic_weights, seed_program(), rtol=0, atol=1e-8
    )
    np.testing.assert_allclose(network.synaptic_weights.ravel(), END, rtol=0, atol=5e-9)
    assert network.think([1, 0, 0]).shape == (1,)
    assert network.think([1, 0, 0])[0] == pytest.approx(NEW_SITUATION_OUTPUT, abs=5e-8)


def test_cost_is_the_sum_of_squared_errors_and_falls():
    inputs, outputs = seed_training_set()
    network = pn.NeuralNetwork([3, 1])
    before = network.cost(inputs, outputs)
    predicted = 1 / (1 + np.exp(-inputs @ np.array(START).reshape(3, 1)))
    assert before == pytest.approx(np.sum((outputs - predicted) ** 2), rel=1e-7)
    history = network.train(inputs, outputs)
    # the history holds the sse loss (half the sum of squares) before each update
    assert history.loss[0] == pytest.approx(before / 2)
    assert network.cost(inputs, outputs) < 2e-4
    assert np.all(np.diff(history.loss) <= 0)


def test_one_dimensional_outputs_and_lists_are_accepted():
    network = pn.NeuralNetwork([3, 1])
    network.train([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], [0, 1, 1, 0])
    np.testing.assert_allclose(network.synaptic_weights, seed_program(), atol=1e-8)


@pytest.mark.parametrize("seed", range(5))
def test_a_hidden_layer_learns_xor(seed):
    network = pn.NeuralNetwork([2, 4, 1], seed=seed)
    assert network.bias is True
    network.train(XOR_X, XOR_Y, iterations=15000)
    assert network.cost(XOR_X, XOR_Y) < 0.01
    assert np.array_equal(network.think(XOR_X).ravel().round(), XOR_Y)


def test_synaptic_weights_of_a_deep_network_are_a_list_of_matrices():
    weights = pn.NeuralNetwork([2, 4, 1]).synaptic_weights
    assert [w.shape for w in weights] == [(2, 4), (4, 1)]


def test_float32_network_trains_too():
    inputs, outputs = seed_training_set()
    network = pn.NeuralNetwork([3, 1], dtype="float32")
    network.train(inputs, outputs)
    assert network.synaptic_weights.dtype == np.float32
    np.testing.assert_allclose(network.synaptic_weights.ravel(), END, atol=1e-3)


@pytest.mark.parametrize("layers", [[3], [3, 0], [2, -1, 1], [2.5, 1], "31"])
def test_bad_layer_sizes_are_refused(layers):
    with pytest.raises(ValueError, match="layer"):
        pn.NeuralNetwork(layers)


def test_demo_prints_the_seeds_story(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "[[-0.16595599]" in out and "[10.08740896]" in out
    assert "[0.9999584]" in out
    assert "Cost before training" in out and "Cost after training" in out


def test_think_with_numbers(capsys):
    assert main(["think", "1", "0", "0"]) == 0
    assert "0.9999584" in capsys.readouterr().out


def test_think_asks_for_inputs(monkeypatch, capsys):
    answers = iter(["1", "0", "0"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["think"]) == 0
    assert "0.9999584" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["think", "1", "zero", "0"], ["think", "1", "0"], ["think", "1", "nan", "0"]],
)
def test_think_with_bad_inputs_gives_a_message_not_a_traceback(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_think_with_a_non_number_at_the_prompt(monkeypatch, capsys):
    answers = iter(["1", "x", "0"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["think"]) == 2
    assert "'x' is not a number" in capsys.readouterr().err


def test_sizes_is_the_name_and_layers_is_deprecated():
    # "layers" means Layer objects in plainnet; NeuralNetwork's widths are sizes.
    with pytest.warns(DeprecationWarning, match="sizes="):
        old = pn.NeuralNetwork(layers=[2, 3, 1])
    assert old.sizes == [2, 3, 1]
    assert pn.NeuralNetwork([2, 3, 1]).sizes == [2, 3, 1]
