"""``Sequential.summary()``: the layers, their output shapes and their sizes."""

import math


def summary_table(net) -> str:
    """One line per layer of ``net`` (a built ``Sequential``): its index, class,
    output shape (batch axis as ``n``) and number of parameters; then the totals
    of trainable parameters and non-trainable values."""
    if not net.built:
        return (
            f"Sequential of {len(net.layers)} layers, not built yet: give "
            "input_shape=... or call fit/predict to learn the input shape"
        )
    rows = [("#", "layer", "output shape", "parameters")]
    shape = net.input_shape
    rows.append(("", "input", _shape(shape), ""))
    for index, layer in enumerate(net.layers):
        shape = layer.output_shape(shape)
        count = sum(math.prod(s) for s in layer.param_shapes().values())
        rows.append((str(index), type(layer).__name__, _shape(shape), f"{count:,}"))
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


def _shape(shape: tuple[int, ...]) -> str:
    return "(n, " + ", ".join(map(str, shape)) + ")"
