"""The Python code that trains the page's network on the page's data with
plainnet's API: the same data, split, layers, optimizer and epochs, so that it
ends with the same weights as the page."""

from __future__ import annotations

import json

from .data import PlaygroundData
from .model import ACTIVATIONS, OPTIMIZERS, batch_size, n_outputs, updates_per_epoch
from .settings import Setup


def python_code(setup: Setup, data: PlaygroundData, epochs: int) -> str:
    """A script training ``epochs`` epochs as the page does, then saving the
    model to ``playground.npz``."""
    n_test = len(data.test)
    lines = [
        f'"""{_title(setup, data)}, trained as the plainnet playground does."""',
        "import numpy as np",
        "",
        "import plainnet as pn",
        *_imports(setup),
        "",
        *_data_lines(setup, data),
        f"order = np.random.default_rng({setup.seed}).permutation(len(X))",
        f"test, train = order[:{n_test}], order[{n_test}:]",
        *_scaling_lines(setup),
        "",
        "net = pn.Sequential([",
        *(f"    {layer}," for layer in _layer_calls(setup, data)),
        f"], seed={setup.seed})",
        *_fit_lines(setup, data, epochs),
        'print(f"after {len(history.loss)} epochs: loss {history.loss[-1]!r}")',
        *_save_lines(setup, data),
        "",
    ]
    return "\n".join(lines)


def _title(setup: Setup, data: PlaygroundData) -> str:
    sizes = [len(data.inputs), *setup.hidden, n_outputs(setup, len(data.classes))]
    what = (
        f"The table {data.source}" if setup.data == "csv" else f"The {setup.data} data"
    )
    return f"{what} and a {'-'.join(map(str, sizes))} network"


def _imports(setup: Setup) -> list[str]:
    lines = []
    if setup.data == "csv":
        lines.append("from plainnet.data import read_csv")
        lines.append("from plainnet.preprocessing import Standardizer, encode_labels")
    else:
        lines.append("from plainnet.datasets import make_dataset")
    if setup.l2:
        lines.append("from plainnet.hooks import L2Penalty")
    if setup.schedule != "constant":
        lines.append("from plainnet.schedules import for_training")
    return lines


def _data_lines(setup: Setup, data: PlaygroundData) -> list[str]:
    if setup.data != "csv":
        arguments = [_literal(setup.data)]
        if setup.data != "seed":
            arguments.append(str(setup.samples))
            if setup.noise is not None:
                arguments.append(f"noise={setup.noise!r}")
            if setup.data == "spirals" and setup.classes != 2:
                arguments.append(f"n_classes={setup.classes}")
        arguments.append(f"seed={setup.seed}")
        lines = [f"X, y = make_dataset({', '.join(arguments)})"]
    else:
        lines = _csv_lines(setup, data)
    if len(data.inputs) < data.X.shape[1]:
        names = ", ".join(data.input_names)
        lines.append(f"X = X[:, {data.inputs}]  # {names}")
    return lines


def _csv_lines(setup: Setup, data: PlaygroundData) -> list[str]:
    arguments = [
        _literal(data.source),
        f"target={_literal(setup.target)}",
        "drop_missing=True",
    ]
    if data.ignored_columns:
        arguments.append(f"ignore_columns={_literal(data.ignored_columns)}")
    return [
        f"table = read_csv({', '.join(arguments)})",
        "X = table.X",
        "y, classes = encode_labels(table.y_text)",
    ]


def _scaling_lines(setup: Setup) -> list[str]:
    if setup.data != "csv":
        return []
    return [
        "scaler = Standardizer().fit(X[train])  # the features at mean 0, std 1",
        "X = scaler.transform(X)",
    ]


def _layer_calls(setup: Setup, data: PlaygroundData) -> list[str]:
    sizes = [len(data.inputs), *setup.hidden, n_outputs(setup, len(data.classes))]
    options = "" if setup.bias else ", bias=False"
    if setup.init != "glorot_uniform":
        options += f", init={_literal(setup.init)}"
    activation = f"pn.{ACTIVATIONS[setup.activation].__name__}()"
    calls = []
    for index in range(len(sizes) - 1):
        calls.append(f"pn.Dense({sizes[index]}, {sizes[index + 1]}{options})")
        if index < len(sizes) - 2:
            calls.append(activation)
            if setup.dropout:
                calls.append(f"pn.Dropout({setup.dropout!r})")
    if setup.loss == "sse":
        calls.append("pn.Sigmoid()  # the seed's output neuron")
    return calls


def _fit_lines(setup: Setup, data: PlaygroundData, epochs: int) -> list[str]:
    n_train = len(data.train)
    kind, settings = OPTIMIZERS[setup.optimizer]
    lr = repr(setup.lr)
    if setup.schedule != "constant":
        steps = setup.decay * updates_per_epoch(setup, n_train)
        schedule = _literal(setup.schedule)
        lr = f"for_training({schedule}, {setup.lr!r}, total_steps={steps})"
    extra = "".join(f", {name}={value!r}" for name, value in settings.items())
    arguments = [
        "X[train]",
        "y[train]",
        f"loss={_literal(setup.loss)}",
        f"optimizer=pn.{kind.__name__}(lr={lr}{extra})",
        f"epochs={epochs}",
        f"batch_size={batch_size(setup, n_train)}",
    ]
    if len(data.test):
        arguments.append("validation_data=(X[test], y[test])")
    if setup.l2:
        size = batch_size(setup, n_train) or n_train
        arguments.append(f"grad_hook=L2Penalty(net, alpha={setup.l2!r}, n={size})")
    return [
        "history = net.fit(",
        *(f"    {argument}," for argument in arguments),
        ")",
    ]


def _save_lines(setup: Setup, data: PlaygroundData) -> list[str]:
    """Save the model; from a table, with what ``pn.Predictor`` needs to take
    its raw rows (the features' names and scaling, the classes)."""
    if setup.data != "csv":
        return ['net.save("playground.npz")']
    return [
        'net.save("playground.npz", metadata={  # pn.Predictor reads raw rows',
        '    "task": "classify",',
        '    "classes": classes,',
        f'    "feature_names": {_literal(data.input_names)},',
        '    "scaling": scaler.to_dict(),',
        "})",
    ]


def _literal(value) -> str:
    """Python source for a string (in double quotes) or a list of them."""
    if isinstance(value, list):
        return "[" + ", ".join(map(_literal, value)) + "]"
    return json.dumps(value, ensure_ascii=False)
