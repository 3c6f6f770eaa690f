"""Finite-difference checks of analytic gradients, in float64.

For a model ``f`` and analytic gradient ``a``, the numeric gradient is the
central difference ``n_i = (f(p + eps e_i) - f(p - eps e_i)) / (2 eps)`` and the
reported error is ``||a - n|| / (||a|| + ||n||)`` (0 when both vanish).
"""

import warnings

import numpy as np

from . import _random, backend
from . import losses as losses_module
from ._targets import network_target
from .layers import Layer
from .network import Sequential


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``||a - n|| / (||a|| + ||n||)``, or 0.0 when both are zero."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def numeric_gradient(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to ``array`` (of any
    device; perturbed in place and restored), as a NumPy array."""
    grad = np.zeros(array.shape)
    flat = backend.of(array).reshape(array, (-1,))
    out = grad.reshape(-1)
    for i in range(out.size):
        original = flat[i]
        flat[i] = original + eps
        upper = f()
        flat[i] = original - eps
        lower = f()
        flat[i] = original
        out[i] = (upper - lower) / (2 * eps)
    return grad


def check_model(
    model: "Layer | Sequential",
    X: np.ndarray,
    y=None,
    loss=None,
    eps: float = 1e-6,
    seed: int = 0,
) -> dict[str, float]:
    """Compare backpropagation with finite differences for a layer or network.

    Parameters
    ----------
    model : Layer or Sequential
        A layer is wrapped in a float64 ``Sequential`` of its own. A float32
        network is checked through a float64 copy (finite differences need the
        precision), with a warning saying so.
    X : ndarray of shape (n_samples, *input_shape)
    y, loss : targets and loss, optional
        Without them the objective is ``sum(output * R)`` for a fixed random ``R``.

    The network runs as in training (batch statistics, Dropout masks), drawing
    the same random numbers on every evaluation; its state is restored after.

    Returns
    -------
    dict
        Relative error for ``"input"`` and for every parameter by dotted name.
        A network whose first layer takes integer ids (``Embedding``) has no
        input gradient, so no ``"input"``: only its parameters are checked.
    """
    net = model if isinstance(model, Sequential) else Sequential([model], seed=seed)
    takes_ids = net.layers[0].input_kind == "ids"
    host = backend.of(X).to_numpy(X)
    host = net.check_input(host) if takes_ids else np.array(host, dtype=np.float64)
    if not net.built:
        net.build(host.shape[1:])
    if net.dtype != np.float64:
        warnings.warn(
            f"checking a float64 copy of this {net.dtype.name} network: finite "
            "differences need float64 to be meaningful",
            stacklevel=2,
        )
        net = net.astype("float64")
    ops = net.ops
    X = ops.asarray(host)
    state = ops.copy(net.state)  # before any forward updates running statistics
    forward = _repeatable_forward(net, X)
    objective, output_grad = _objective(net, forward, X, y, loss, seed)
    forward()
    analytic_input = net.backward(output_grad, need_input_grad=not takes_ids)
    errors = {}
    if not takes_ids:  # ids have no gradient: only the weights are checked
        numeric_input = numeric_gradient(objective, X, eps)
        errors["input"] = relative_error(ops.to_numpy(analytic_input), numeric_input)
    analytic = ops.to_numpy(net.gradients).copy()
    numeric = numeric_gradient(objective, net.parameters, eps)
    for name, (part, _) in net.layout.items():
        errors[name] = relative_error(analytic[part], numeric[part])
    net.state[...] = state  # running statistics as they were
    return errors


def _objective(net: Sequential, forward, X: np.ndarray, y, loss, seed: int):
    """The scalar function of the network's output being differentiated, and its
    gradient with respect to that output: the loss, or ``sum(output * R)``."""
    ops = net.ops
    if loss is None:
        host = np.random.default_rng(seed).standard_normal(forward().shape)
        weights = ops.asarray(host)
        return (lambda: ops.to_float(ops.sum(forward() * weights))), weights
    loss = losses_module.get(loss)
    target = ops.asarray(network_target(loss, net, y, X, np.float64))
    output_grad = loss.gradient(ops.copy(forward()), target)
    return (lambda: loss.value(forward(), target)), output_grad


def _repeatable_forward(net: Sequential, X: np.ndarray):
    """``net.forward(X, training=True)`` that draws the same random numbers
    (Dropout's masks) on every call: the function being differentiated must not
    change between evaluations."""
    start = _random.get_state(net.rng)

    def forward() -> np.ndarray:
        _random.set_state(net.rng, start)
        return net.forward(X, training=True)

    return forward


def check_loss(loss, output: np.ndarray, target, eps: float = 1e-6) -> float:
    """Relative error of ``loss.gradient`` against finite differences at ``output``."""
    loss = losses_module.get(loss)
    output = np.array(output, dtype=np.float64)
    target = loss.prepare_target(target, output.shape[1], np.float64)
    analytic = loss.gradient(output, target)
    numeric = numeric_gradient(lambda: loss.value(output, target), output, eps)
    return relative_error(analytic, numeric)
