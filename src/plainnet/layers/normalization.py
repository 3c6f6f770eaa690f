"""BatchNorm and LayerNorm: layers that standardise their input, then scale and
shift it by learned parameters.

Both follow the contract of :mod:`plainnet.layers.base`. ``BatchNorm`` is the
one layer so far that keeps non-trainable state (its running statistics): it
lives in the network's ``state`` buffer, is saved with the model and is never
touched by an optimizer.
"""

from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import initializers
from .._messages import shown
from .._validation import check_bool, check_number
from .base import Layer, ShapeError
from .registry import register_layer

#: float32's smallest normal number: an ``eps`` below it becomes 0 in float32,
#: and ``sqrt(var + eps)`` of a constant input then divides by zero
SMALLEST_EPS = 1.1754943508222875e-38


def _check_eps(eps, owner: str) -> float:
    """``eps`` as a float, or ``ValueError`` if it is not a positive number that
    stays above 0 in float32."""
    check_number(f"{owner} eps", eps, 0, low_open=True)
    if eps < SMALLEST_EPS:
        raise ValueError(
            f"{owner} eps must be at least {SMALLEST_EPS:.3g} (float32's smallest "
            f"normal number), so that it stays above 0 in either precision; "
            f"got {shown(eps)}"
        )
    return float(eps)


@register_layer
class BatchNorm(Layer):
    """Batch normalisation (Ioffe & Szegedy, 2015), per feature or per channel.

    For an input of shape ``(n, F)`` each of the ``F`` features is normalised
    over the batch; for ``(n, C, ...)`` (channels first: ``(n, C, L)``,
    ``(n, C, H, W)``) each of the ``C`` channels is normalised over the batch
    and every spatial position, as PyTorch's ``BatchNorm1d``/``BatchNorm2d``.
    ``C`` is learned when the network is built.

    Parameters
    ----------
    momentum : float, default 0.1
        Weight of the current batch in the running statistics, in [0, 1]
        (PyTorch's convention, see Notes).
    eps : float, default 1e-5
        Added to the variance before its square root.
    affine : bool, default True
        Whether the layer learns the scale ``gamma`` and shift ``beta``
        (without them it only standardises).

    Attributes
    ----------
    params : ``gamma`` (ones) and ``beta`` (zeros), of shape ``(C,)``, if affine.
    state : ``running_mean`` (zeros) and ``running_var`` (ones), of shape
        ``(C,)``: non-trainable, saved with the model, used when predicting.

    Notes
    -----
    With ``m`` values per channel in the batch (``n`` times the number of spatial
    positions), training uses the batch's statistics::

        mu = mean(x)        var = mean((x - mu)**2)        (biased, over m values)
        x_hat = (x - mu) / sqrt(var + eps)        y = gamma * x_hat + beta

    and updates the running statistics, which ``training=False`` (``predict``)
    uses in place of ``mu`` and ``var``::

        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * var * m / (m - 1)

    This is PyTorch's convention (``momentum=0.1`` weighs the new batch, and the
    running variance takes the unbiased batch variance), so weights and running
    statistics copy over from ``torch.nn.BatchNorm1d``/``2d`` unchanged. Keras's
    ``BatchNormalization`` writes ``running = momentum * running + (1 - momentum)
    * batch`` with ``momentum=0.99`` (the weight of the old value, so Keras's
    ``m`` is PyTorch's ``1 - m``) and a biased batch variance.

    Backward, with ``dy = dL/dy`` and means and sums over the ``m`` values of each
    channel::

        dbeta  = sum(dy)        dgamma = sum(dy * x_hat)
        dx = gamma / sqrt(var + eps) * (dy - mean(dy) - x_hat * mean(dy * x_hat))

    so ``forward`` keeps exactly ``x_hat`` and ``1 / sqrt(var + eps)``.

    A batch of one sample without spatial axes (shape ``(1, F)``) has variance 0
    in training: as PyTorch does, the layer raises ``ValueError`` then, and
    ``fit`` joins a last batch of one to the batch before it
    (``needs_two_samples``).

    Example
    -------
    >>> net = Sequential([Dense(64), BatchNorm(), ReLU(), Dense(3)], input_shape=(20,))
    >>> cnn_block = [BatchNorm(), ReLU()]   # after a layer giving (n, C, H, W)
    """

    def __init__(
        self, *channels, momentum: float = 0.1, eps: float = 1e-5, affine: bool = True
    ) -> None:
        super().__init__()
        if channels:
            raise TypeError(
                f"BatchNorm{channels!r} looks like PyTorch's BatchNorm2d(channels): "
                "plainnet's BatchNorm learns its channels when the network is "
                "built, so write BatchNorm() (momentum, eps and affine are "
                "keyword arguments)"
            )
        check_number("BatchNorm momentum", momentum, 0, 1, high_closed=True)
        self.momentum = float(momentum)
        self.eps = _check_eps(eps, "BatchNorm")
        self.affine = check_bool("BatchNorm affine", affine)

    # -- shapes, parameters and state ----------------------------------------------
    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) < 1:
            raise ShapeError("expects (n, features) or (n, channels, ...)")
        return tuple(input_shape)

    @property
    def needs_two_samples(self) -> bool:
        """Whether a batch of one sample has no variance (flat features)."""
        return self.input_shape is not None and len(self.input_shape) == 1

    @property
    def n_channels(self) -> int:
        """``C``: the features of ``(n, F)``, the channels of ``(n, C, ...)``."""
        if self.input_shape is None:
            raise ValueError(f"{self!r} is not built yet: its channels are unknown")
        return self.input_shape[0]

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        if not self.affine:
            return {}
        return {"gamma": (self.n_channels,), "beta": (self.n_channels,)}

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        if not self.affine:
            return {}
        shape = (self.n_channels,)
        return {"gamma": initializers.ones(shape), "beta": initializers.zeros(shape)}

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"running_mean": (self.n_channels,), "running_var": (self.n_channels,)}

    def initial_state(self) -> dict[str, np.ndarray]:
        shape = (self.n_channels,)
        return {
            "running_mean": initializers.zeros(shape),
            "running_var": initializers.ones(shape),
        }

    def invalid_state(self) -> dict[str, str]:
        variances = self.ops.to_numpy(self.state["running_var"]).tolist()
        negative = [(c, v) for c, v in enumerate(variances) if v < 0]
        if not negative:
            return {}
        channel, first = negative[0]
        return {
            "running_var": f"{len(negative)} negative variance(s) (the first "
            f"{first:g}, channel {channel}); a variance is never negative"
        }

    # -- the math --------------------------------------------------------------------
    def _per_channel(self, x: np.ndarray) -> tuple[int, ...]:
        """The shape that makes a ``(C,)`` array broadcast against ``x`` (a
        channel's statistics run over the batch and spatial axes:
        ``ops.channel_sum``)."""
        return (x.shape[1],) + (1,) * (x.ndim - 2)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        ops = self.ops
        channel = self._per_channel(x)
        if not training:
            running = self.state
            scale = 1.0 / ops.sqrt(running["running_var"] + self.eps)
            if self.affine:
                scale *= self.params["gamma"]
            y = ops.subtract(x, ops.reshape(running["running_mean"], channel))
            y *= ops.reshape(scale, channel)
            if self.affine:
                y += ops.reshape(self.params["beta"], channel)
            return y
        m = x.size // x.shape[1]
        if m < 2:
            raise ValueError(
                f"BatchNorm needs more than one value per channel in training, "
                f"got a batch of shape {x.shape} (one sample): train with a "
                "batch_size of 2 or more (fit joins a last batch of one to the "
                "one before), or use LayerNorm, which normalises each sample on "
                "its own"
            )
        mean = ops.channel_sum(x) / m
        x_hat = ops.subtract(
            x, ops.reshape(mean, channel), out=self._buffer("x_hat", x.shape, x.dtype)
        )
        y = ops.square(x_hat, out=self._buffer("y", x.shape, x.dtype))
        var = ops.channel_sum(y) / m
        inv_std = 1.0 / ops.sqrt(var + self.eps)
        x_hat *= ops.reshape(inv_std, channel)
        self.save_for_backward(x_hat=x_hat, inv_std=inv_std)
        self._update_running(mean, var, m)
        if not self.affine:
            ops.copyto(y, x_hat)
            return y
        ops.multiply(x_hat, ops.reshape(self.params["gamma"], channel), out=y)
        y += ops.reshape(self.params["beta"], channel)
        return y

    def _update_running(self, mean: np.ndarray, var: np.ndarray, m: int) -> None:
        """The momentum rule, with the unbiased batch variance (PyTorch's)."""
        keep, new = 1 - self.momentum, self.momentum
        running_mean = self.state["running_mean"]
        running_var = self.state["running_var"]
        running_mean *= keep
        running_mean += new * mean
        running_var *= keep
        running_var += (new * m / (m - 1)) * var

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        ops = self.ops
        x_hat, inv_std = self.saved["x_hat"], self.saved["inv_std"]
        channel = self._per_channel(x_hat)
        m = x_hat.size // x_hat.shape[1]
        work = ops.multiply(
            grad_out, x_hat, out=self._buffer("dx", x_hat.shape, x_hat.dtype)
        )
        sum_dy_xhat = ops.channel_sum(work)
        sum_dy = ops.channel_sum(grad_out)
        if self.affine:
            self.grads["gamma"][...] = sum_dy_xhat
            self.grads["beta"][...] = sum_dy
        if not need_input_grad:
            return None
        # dx = scale * (dy - mean(dy) - x_hat * mean(dy * x_hat)), built in `work`
        scale = inv_std * self.params["gamma"] if self.affine else inv_std
        ops.multiply(x_hat, ops.reshape(sum_dy_xhat / m, channel), out=work)
        ops.subtract(grad_out, work, out=work)
        work -= ops.reshape(sum_dy / m, channel)
        work *= ops.reshape(scale, channel)
        return work

    def get_config(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "eps": self.eps, "affine": self.affine}


@register_layer
class LayerNorm(Layer):
    """Layer normalisation (Ba, Kiros & Hinton, 2016): each sample is normalised
    over all its values (every axis but the batch axis), as
    ``torch.nn.LayerNorm(normalized_shape=input_shape[1:])``; or, with
    ``axes="last"``, each position of a sequence over its features alone, as
    ``torch.nn.LayerNorm(normalized_shape=dim)`` in a Transformer.

    Parameters
    ----------
    eps : float, default 1e-5
        Added to the variance before its square root.
    affine : bool, default True
        Whether the layer learns an elementwise scale ``gamma`` and shift
        ``beta``.
    axes : {"all", "last"}, default "all"
        The values normalised together: all of one sample's, or those along
        the last axis (one group per position of ``(n, steps, dim)``).

    Attributes
    ----------
    params : ``gamma`` (ones) and ``beta`` (zeros), if affine: each of one
        sample's shape (``(F,)`` for rows, ``(C, H, W)`` for images), or of
        the last axis's length with ``axes="last"``. No state: the same
        computation runs in training and when predicting.

    Notes
    -----
    With ``D`` values per group (a sample, or a position) and means over
    them, one per group::

        mu = mean(x)        var = mean((x - mu)**2)        (biased)
        x_hat = (x - mu) / sqrt(var + eps)        y = gamma * x_hat + beta

    Backward, with ``g = gamma * dy`` and the same per-group means::

        dbeta  = sum of dy over the axes gamma is broadcast along
        dgamma = sum of dy * x_hat over those axes
        dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps)

    so ``forward`` keeps exactly ``x_hat`` and ``1 / sqrt(var + eps)``.

    Example
    -------
    >>> Sequential([Dense(64), LayerNorm(), ReLU(), Dense(3)], input_shape=(20,))
    >>> LayerNorm(axes="last")   # on (n, steps, dim), before attention
    """

    def __init__(
        self, eps: float = 1e-5, affine: bool = True, axes: str = "all"
    ) -> None:
        super().__init__()
        self.eps = _check_eps(eps, "LayerNorm")
        self.affine = check_bool("LayerNorm affine", affine)
        if axes not in ("all", "last"):
            raise ValueError(
                "LayerNorm axes must be 'all' (each sample over all its values) "
                f"or 'last' (each position over its last axis), got {axes!r}"
            )
        self.axes = axes

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) < 1:
            raise ShapeError("expects (n, features) or (n, channels, ...)")
        return tuple(input_shape)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        if not self.affine:
            return {}
        if self.input_shape is None:
            raise ValueError(f"{self!r} is not built yet: its input shape is unknown")
        shape = self.input_shape[-1:] if self.axes == "last" else self.input_shape
        return {"gamma": shape, "beta": shape}

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        if not self.affine:
            return {}
        shape = self.param_shapes()["gamma"]
        return {"gamma": initializers.ones(shape), "beta": initializers.zeros(shape)}

    def _group_axes(self, ndim: int) -> tuple[int, ...]:
        """The axes one group of values runs along (the statistics' axes)."""
        return (ndim - 1,) if self.axes == "last" else tuple(range(1, ndim))

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        ops = self.ops
        axes = self._group_axes(x.ndim)
        if training:
            x_hat = self._buffer("x_hat", x.shape, x.dtype)
            y = scratch = self._buffer("y", x.shape, x.dtype)
        else:  # nothing kept: y is computed in place of x_hat
            x_hat = y = ops.empty(x.shape, x.dtype)
            scratch = None
        ops.subtract(x, ops.mean(x, axis=axes, keepdims=True), out=x_hat)
        var = ops.mean(ops.square(x_hat, out=scratch), axis=axes, keepdims=True)
        inv_std = 1.0 / ops.sqrt(var + self.eps)
        x_hat *= inv_std
        if training:
            self.save_for_backward(x_hat=x_hat, inv_std=inv_std)
        if not self.affine:
            if y is not x_hat:
                ops.copyto(y, x_hat)
            return y
        ops.multiply(x_hat, self.params["gamma"], out=y)
        y += self.params["beta"]
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        ops = self.ops
        x_hat, inv_std = self.saved["x_hat"], self.saved["inv_std"]
        axes = self._group_axes(x_hat.ndim)
        work = self._buffer("dx", x_hat.shape, x_hat.dtype)
        if self.affine:  # summed over the axes gamma is broadcast along
            spread = tuple(range(x_hat.ndim - 1)) if self.axes == "last" else 0
            ops.multiply(grad_out, x_hat, out=work)
            ops.sum(work, axis=spread, out=self.grads["gamma"])
            ops.sum(grad_out, axis=spread, out=self.grads["beta"])
        if not need_input_grad:
            return None
        if self.affine:
            g = self._buffer("g", x_hat.shape, x_hat.dtype)
            ops.multiply(grad_out, self.params["gamma"], out=g)
        else:
            g = grad_out
        # dx = (g - mean(g) - x_hat * mean(g * x_hat)) * inv_std, built in `work`
        mean_g_xhat = ops.mean(
            ops.multiply(g, x_hat, out=work), axis=axes, keepdims=True
        )
        mean_g = ops.mean(g, axis=axes, keepdims=True)
        ops.multiply(x_hat, mean_g_xhat, out=work)
        ops.subtract(g, work, out=work)
        work -= mean_g
        work *= inv_std
        return work

    def get_config(self) -> dict[str, Any]:
        return {"eps": self.eps, "affine": self.affine, "axes": self.axes}
