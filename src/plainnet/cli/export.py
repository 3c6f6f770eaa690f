"""``plainnet export``: write a model file as an ONNX model, to run it in any
ONNX runtime (needs the onnx extra)."""

import argparse

from .. import onnx as onnx_export
from .common import check_output


def add_parser(commands) -> None:
    """Register ``export``."""
    p = commands.add_parser(
        "export",
        help="export a model file to ONNX",
        description="Export a model file to ONNX. A model trained by plainnet train "
        "takes the raw columns, one input per column (its stored filling, one-hot "
        "encoding and scaling are in the graph), and gives 'label' and "
        "'probabilities', or 'variable' in the target's units.",
    )
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("out", metavar="OUT.onnx")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing OUT file that is not an ONNX model",
    )
    p.add_argument(
        "--output-function",
        action="store_true",
        help="for a plain network: end in its loss's output function (softmax or "
        "sigmoid), giving probabilities instead of logits",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Export ``args.model`` to ``args.out``; nothing is written on failure, and
    nothing but an ONNX file (without ``--force``) is replaced."""
    onnx_export.require_onnx()
    check_output(args.out, [args.model], "onnx", args.force, option="the output")
    model = onnx_export.model_from_file(args.model)
    proto = onnx_export.to_onnx(model, args.out, output_function=args.output_function)
    inputs = ", ".join(_describe(port) for port in proto.graph.input)
    outputs = ", ".join(_describe(port) for port in proto.graph.output)
    print(f"exported {args.model} to {args.out}: inputs {inputs}; outputs {outputs}")
    return 0


def _describe(value) -> str:
    """``name (float32, batch x 4)`` for a graph input or output."""
    import onnx

    tensor = value.type.tensor_type
    dims = [d.dim_param or str(d.dim_value) for d in tensor.shape.dim]
    dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type)
    dtype = "string" if dtype.kind == "O" else dtype.name
    return f"{value.name} ({dtype}, {' x '.join(dims)})"
