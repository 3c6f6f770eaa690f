"""Building one ONNX model: nodes and initializers with unique names, inputs and
outputs with a dynamic batch axis, opset 17, checked before anyone sees it.

The only module of plainnet that imports ``onnx`` at its top (the absolute
package, never this one: ``plainnet.onnx`` shadows nothing).
"""

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .._version import __version__
from ..errors import ExportError

#: The operator set: 17 has ``LayerNormalization``; onnxruntime >= 1.13 runs it.
OPSET = 17
#: The IR version that goes with opset 17 (a newer one would shut out runtimes
#: that run opset 17 perfectly well).
IR_VERSION = 8
#: The name of the dynamic batch axis, the first of every input and output.
BATCH = "batch"

_ELEMENT_TYPES = {
    "float32": TensorProto.FLOAT,
    "float64": TensorProto.DOUBLE,
    "int64": TensorProto.INT64,
    "bool": TensorProto.BOOL,
    "string": TensorProto.STRING,
}


@dataclass(frozen=True)
class Port:
    """A graph input or output: its name, element type (``"float32"``,
    ``"int64"``, ``"string"``, ...) and one sample's shape (without the batch
    axis; ``()`` for one value per sample)."""

    name: str
    dtype: str
    shape: tuple[int, ...]

    def value_info(self) -> onnx.ValueInfoProto:
        return helper.make_tensor_value_info(
            self.name, _ELEMENT_TYPES[self.dtype], [BATCH, *self.shape]
        )

    def describe(self) -> dict:
        """As stored in the model's metadata: name, dtype and shape."""
        return {"name": self.name, "dtype": self.dtype, "shape": [BATCH, *self.shape]}


class GraphBuilder:
    """The nodes and initializers of one graph, in order, with unique names.

    Attributes
    ----------
    dtype : numpy dtype
        The graph's float type (the network's): float constants are cast to it.
    """

    def __init__(self) -> None:
        self.dtype = np.dtype("float64")
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._prefix = ""
        self._names: set[str] = set()

    @contextlib.contextmanager
    def scope(self, prefix: str) -> Iterator[None]:
        """Name what is added inside after ``prefix`` (``layers.3.W``), itself
        inside the scope around it (``layers.3`` then ``1``: ``layers.3.1.W``)."""
        outer = self._prefix
        self._prefix = f"{outer}.{prefix}" if outer else prefix
        try:
            yield
        finally:
            self._prefix = outer

    def name(self, hint: str) -> str:
        """A new unique name: ``hint`` in the current scope, numbered if taken."""
        base = f"{self._prefix}.{hint}" if self._prefix else hint
        name, count = base, 1
        while name in self._names:
            count += 1
            name = f"{base}_{count}"
        self._names.add(name)
        return name

    def reserve(self, *names: str) -> None:
        """Keep ``names`` (the graph's inputs and outputs) from being given out."""
        self._names.update(names)

    def constant(self, hint: str, value, cast: bool = True) -> str:
        """Add ``value`` as an initializer (floats in the graph's dtype unless
        ``cast=False``, text as ONNX strings); returns its name."""
        array = np.asarray(value)
        if array.dtype.kind == "f" and cast:
            array = array.astype(self.dtype)
        elif array.dtype.kind in "US":
            array = array.astype(object)
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(
        self,
        op_type: str,
        inputs: Sequence[str],
        hint: str | None = None,
        *,
        output: str | None = None,
        **attributes,
    ) -> str:
        """Add a node of the standard operator ``op_type``; returns the name of
        its output (``output`` if given, a graph output's name, else a new one)."""
        output = output or self.name(hint or op_type)
        self._add(op_type, inputs, [output], attributes)
        return output

    def node_outputs(
        self, op_type: str, inputs: Sequence[str], hints: Sequence[str], **attributes
    ) -> list[str]:
        """Add a node with several outputs, one new name per hint (``""`` for
        an optional output left out); returns their names."""
        outputs = [self.name(hint) if hint else "" for hint in hints]
        self._add(op_type, inputs, outputs, attributes)
        return outputs

    def cast(self, x: str, dtype, hint: str | None = None) -> str:
        """``x`` converted to ``dtype`` (``"bool"``, ``"int64"``, a float dtype)."""
        to = _ELEMENT_TYPES[np.dtype(dtype).name]
        return self.node("Cast", [x], hint or "Cast", to=to)

    def _add(self, op_type: str, inputs, outputs: list[str], attributes) -> None:
        first = next(name for name in outputs if name)
        self.nodes.append(
            helper.make_node(
                op_type, list(inputs), outputs, name=f"{first}:{op_type}", **attributes
            )
        )

    def model(
        self,
        inputs: Sequence[Port],
        outputs: dict[str, Port],
        metadata: dict,
    ) -> onnx.ModelProto:
        """The checked model. ``outputs`` maps each graph output's port to the
        name of the value that holds it; ``metadata`` (JSON values) goes into the
        model's ``metadata_props``, with the inputs' and outputs' descriptions."""
        for value, port in outputs.items():
            if value != port.name:
                self.node("Identity", [value], output=port.name)
        ports = list(outputs.values())
        graph = helper.make_graph(
            self.nodes,
            "plainnet",
            [port.value_info() for port in inputs],
            [port.value_info() for port in ports],
            self.initializers,
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            ir_version=IR_VERSION,
            producer_name="plainnet",
            producer_version=__version__,
        )
        described = {
            "inputs": [port.describe() for port in inputs],
            "outputs": [port.describe() for port in ports],
            **metadata,
        }
        helper.set_model_props(
            model, {key: json.dumps(value) for key, value in described.items()}
        )
        try:
            onnx.checker.check_model(model, full_check=True)
        except (
            onnx.checker.ValidationError,
            onnx.shape_inference.InferenceError,
        ) as error:
            # a bug in a translation, not the user's doing
            raise ExportError(
                f"the exported graph fails ONNX's checker: {error}"
            ) from None
        return model
