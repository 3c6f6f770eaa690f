"""Shapes through a stack of layers: the input shape a stack takes, and each
layer built for the shape the one before it gives."""

import numbers
from collections.abc import Sequence

from .._messages import shown
from .base import Layer, ShapeError, describe_shape


def input_shape_of(
    layers: list[Layer], given: "Sequence[int] | None"
) -> tuple[int, ...] | None:
    """One sample's input shape: ``given``, else the one declared by the first
    layer that declares one when the layers before it keep that shape (an
    activation or ``Dropout`` before ``Dense(3, 1)``), else ``None``."""
    if given is not None:
        shape = tuple(given)
        if not shape or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0
            for n in shape
        ):
            raise ValueError(
                f"input_shape must be a tuple of positive ints (one sample's shape, "
                f"without the batch axis), got {shown(given)}"
            )
        return shape
    for index, layer in enumerate(layers):
        declared = layer.declared_input_shape()
        if declared is not None:
            before = layers[:index]
            try:
                keep = all(lay.output_shape(declared) == declared for lay in before)
            except ShapeError:
                keep = False
            return declared if keep else None
    return None


def check_shapes(layers: list[Layer], input_shape: Sequence[int]) -> tuple[int, ...]:
    """Build every layer for the shape the one before it gives; returns one
    sample's output shape. A layer that cannot take its input raises
    ``ShapeError`` naming it, what it expects and what it is given."""
    shape = tuple(int(size) for size in input_shape)
    given = f"{describe_shape(shape)} (the input)"
    for index, layer in enumerate(layers):
        try:
            layer.build(shape)
        except ShapeError as error:
            raise ShapeError(
                f"layer {index} ({layer!r}) {error}, but the layers before it "
                f"give {given}"
            ) from None
        given = f"{layer.describe_output(shape)} (from {type(layer).__name__})"
        shape = layer.output_shape(shape)
    return shape
