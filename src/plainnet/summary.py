"""``Sequential.summary()``: the layers, their output shapes and their sizes."""

import math


def summary_table(net) -> str:
    """One line per layer of ``net`` (a built ``Sequential``): its index, class,
    output shape (batch axis as ``n``) and number of parameters, with the
    layers inside a ``Residual`` indented below it; then the totals of
    trainable parameters and non-trainable values."""
    if not net.built:
        return (
            f"Sequential of {len(net.layers)} layers, not built yet: give "
            "input_shape=... or call fit/predict to learn the input shape"
        )
    rows = [("#", "layer", "output shape", "parameters")]
    rows.append(("", "input", _shape(net.input_shape), ""))
    rows += _rows(net.layers, net.input_shape)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(
            cell.rjust(width) if i in (0, 3) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    rule = "-" * len(max(lines, key=len))
    lines[1:1] = [rule]
    lines += [
        rule,
        f"trainable parameters: {net.parameters.size:,} ({net.dtype.name}, "
        f"{net.parameters.nbytes:,} bytes)",
        f"non-trainable values: {net.state.size:,}",
    ]
    return "\n".join(lines)


def _rows(layers, shape: tuple[int, ...], prefix: str = "") -> list[tuple]:
    """One row per layer, and below a layer that holds others (``Residual``)
    one indented row for each of those, numbered ``3.0``, ``3.1``."""
    rows = []
    for index, layer in enumerate(layers):
        output = layer.output_shape(shape)
        count = sum(math.prod(s) for s in layer.param_shapes().values())
        depth = "  " * prefix.count(".")
        rows.append(
            (
                f"{prefix}{index}",
                depth + type(layer).__name__,
                _shape(output),
                f"{count:,}",
            )
        )
        rows += _rows(layer.sublayers(), shape, f"{prefix}{index}.")
        shape = output
    return rows


def _shape(shape: tuple[int, ...]) -> str:
    return "(n, " + ", ".join(map(str, shape)) + ")"
