"""Residual blocks, ``x + f(x)``: the inner layers' parameters in the network's
flat buffers under their path, and nesting wherever a layer goes (summary,
model files, gradients, ONNX, the diagnosis, the registry's checks). The
layer harness runs a block and a nested block through its generic checks."""

import json
import zipfile

import numpy as np
import pytest

import plainnet as pn
from plainnet.gradcheck import check_model
from plainnet.layers import Layer, ShapeError

X = np.random.default_rng(0).standard_normal((6, 5))


def block_net(**options) -> pn.Sequential:
    return pn.Sequential(
        [
            pn.Dense(4),
            pn.Residual(
                [
                    pn.LayerNorm(),
                    pn.Dense(3),
                    pn.ReLU(),
                    pn.Residual([pn.Dense(3)]),
                    pn.Dense(4),
                ]
            ),
            pn.Dense(2),
        ],
        input_shape=(5,),
        seed=0,
        **options,
    )


def test_the_block_adds_its_input_to_what_its_layers_give():
    net = block_net()
    block = net.layers[1]
    x = net.layers[0].forward(net.check_input(X), training=False)
    h = x
    for layer in block.layers:
        h = layer.forward(h, training=False)
    np.testing.assert_array_equal(block.forward(x, training=False), x + h)


def test_inner_parameters_live_in_the_flat_buffers_under_their_path():
    net = block_net()
    assert list(net.layout) == [
        "layers.0.W", "layers.0.b",
        "layers.1.0.gamma", "layers.1.0.beta",
        "layers.1.1.W", "layers.1.1.b",
        "layers.1.3.0.W", "layers.1.3.0.b",
        "layers.1.4.W", "layers.1.4.b",
        "layers.2.W", "layers.2.b",
    ]  # fmt: skip
    inner = net.layers[1].layers[3].layers[0]
    assert np.shares_memory(inner.params["W"], net.parameters)
    assert np.shares_memory(inner.grads["W"], net.gradients)
    np.testing.assert_array_equal(
        net.named_parameters()["layers.1.3.0.W"], inner.params["W"]
    )
    net.fit(X, np.zeros((6, 2)), epochs=1)
    assert np.abs(inner.grads["W"]).sum() > 0  # backward reached it


def test_gradients_through_nested_blocks_match_finite_differences():
    errors = check_model(block_net(), X[:3])
    assert errors.keys() == {"input", *block_net().layout}
    assert max(errors.values()) < 1e-7, errors


def test_summary_indents_the_layers_inside_a_block():
    assert block_net().summary().splitlines()[:11] == [
        "    #  layer        output shape  parameters",
        "--------------------------------------------",
        "       input        (n, 5)",
        "    0  Dense        (n, 4)                24",
        "    1  Residual     (n, 4)                51",
        "  1.0    LayerNorm  (n, 4)                 8",
        "  1.1    Dense      (n, 3)                15",
        "  1.2    ReLU       (n, 3)                 0",
        "  1.3    Residual   (n, 3)                12",
        "1.3.0      Dense    (n, 3)                12",
        "  1.4    Dense      (n, 4)                16",
    ]


def test_a_block_that_changes_the_shape_is_refused_naming_it():
    with pytest.raises(ShapeError, match=r"layer 0 \(Residual.*turn 5 features into 3"):
        pn.Sequential([pn.Residual([pn.Dense(3)])], input_shape=(5,))
    with pytest.raises(ShapeError, match=r"its layer 1 \(Dense\(n_in=7.*expects 7"):
        pn.Sequential([pn.Residual([pn.Tanh(), pn.Dense(7, 5)])], input_shape=(5,))


@pytest.mark.parametrize(
    "layers, message",
    [
        ([], "at least one layer"),
        (pn.Dense(3), "list of layers"),
        (["relu"], r"layer 0 must be a plainnet Layer \(or its config.*got str"),
    ],
)
def test_bad_construction_is_refused(layers, message):
    with pytest.raises((TypeError, ValueError), match=message):
        pn.Residual(layers)
    same = pn.Dense(3)
    with pytest.raises(ValueError, match="same layer object twice"):
        pn.Residual([same, same])


def test_a_layer_inside_a_block_belongs_to_the_network():
    inner = pn.Dense(5)
    net = pn.Sequential([pn.Residual([inner])], input_shape=(5,))
    with pytest.raises(ValueError, match="already belongs to another network"):
        pn.Sequential([inner], input_shape=(5,))
    del net


def test_dropout_inside_a_block_draws_from_the_networks_generator():
    net = pn.Sequential(
        [pn.Residual([pn.Dense(5), pn.Dropout(0.5)])], input_shape=(5,), seed=3
    )
    assert net.layers[0].layers[1].rng is net.rng


def test_model_file_keeps_nested_blocks_and_their_weights(tmp_path):
    net = block_net(dtype="float32")
    net.fit(X, np.ones((6, 2)), epochs=3, batch_size=2)
    net.save(tmp_path / "m.npz")
    loaded = pn.load(tmp_path / "m.npz")
    assert loaded.get_config() == net.get_config()
    assert repr(loaded.layers[1]) == repr(net.layers[1])
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        assert "weights/layers.1.3.0.W.npy" in archive.namelist()


def test_an_unregistered_layer_inside_a_block_is_refused_at_saving(tmp_path):
    class Doubler(Layer):
        def forward(self, x, training=True):
            return 2 * x

    net = pn.Sequential([pn.Residual([pn.Tanh(), Doubler()])], input_shape=(3,))
    with pytest.raises(ValueError, match=r"layer 0\.1 \(Doubler\) is not one of"):
        net.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    with pytest.raises(pn.ExportError, match=r"layer 0\.1 \(Doubler\(\)\).*custom"):
        pn.onnx.check_exportable(net.layers)


@pytest.mark.parametrize("depth", [300, 330, 2000])
def test_blocks_nested_hundreds_deep_in_a_file_are_refused_cleanly(tmp_path, depth):
    """A crafted file whose blocks nest about as deep as Python's recursion
    allows (its JSON parser stops at about 333): one ModelFileError naming the
    file, never a RecursionError."""
    path = tmp_path / "deep.npz"
    pn.Sequential([pn.Dense(3, 3)], seed=0).save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members["plainnet.npy"].split(b"\n", 1)[1])
    dense = json.dumps(document["network"]["layers"][0])
    nested = '{"class": "Residual", "config": {"layers": [' * depth + dense
    nested += "]}}" * depth
    text = json.dumps({**document, "network": {**document["network"], "layers": []}})
    text = text.replace('"layers": []', f'"layers": [{nested}]', 1).encode()
    members["plainnet.npy"] = _npy(np.frombuffer(text, np.uint8))
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(pn.ModelFileError, match=f"^{path}: "):
        pn.load(path)


def _npy(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_the_diagnosis_names_dead_relus_inside_a_block():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 4)), rng.integers(0, 2, 64)
    net = pn.Sequential(
        [pn.Dense(8), pn.Residual([pn.Dense(8), pn.ReLU(), pn.Dense(8)]), pn.Dense(2)],
        input_shape=(4,),
        seed=0,
    )
    inner = net.layers[1].layers[0]
    inner.params["b"][...] = -100.0  # every unit of layer 1.1 dead
    diagnostics = pn.Diagnostics()
    net.fit(X, y, loss="cross_entropy", epochs=2, callbacks=[diagnostics])
    assert diagnostics.layers["1.1"]["dead"][-1] == 1.0
    assert "1.0" in diagnostics.layers  # the Dense inside: gradient norms
    finding = next(f for f in diagnostics.report() if f.kind == "dead_relu")
    assert finding.layer == "1.1"
    assert "layer 1.1" in str(finding)
    assert "1.1 ReLU" in diagnostics.layer_table()


def test_a_block_is_made_from_its_config_as_any_layer():
    block = pn.Residual([pn.LayerNorm(axes="last"), pn.Dense(4)])
    again = pn.Residual(**block.get_config())  # from_config is cls(**config)
    assert repr(again) == repr(block)
    with pytest.raises(ValueError, match="unknown layer class 'Nope'"):
        pn.Residual([{"class": "Nope", "config": {}}])
