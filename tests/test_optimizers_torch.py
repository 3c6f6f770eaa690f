"""Each optimizer against PyTorch's on a small network: same initial weights,
same data, a few full-batch steps in float64, weights equal to ~1e-10."""

import numpy as np
import pytest

import plainnet as pn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 4))
Y = (X[:, 0] - X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)


def plainnet_net() -> pn.Sequential:
    return pn.Sequential(
        [pn.Dense(4, 6), pn.Tanh(), pn.Dense(6, 3)], seed=0, dtype="float64"
    )


def torch_net(net: pn.Sequential):
    """The same network in PyTorch (``W`` is ``weight.T``)."""
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)
    ).double()
    with torch.no_grad():
        for index in (0, 2):
            params = net.layers[index].params
            model[index].weight.copy_(torch.from_numpy(params["W"].T.copy()))
            model[index].bias.copy_(torch.from_numpy(params["b"].copy()))
    return model


CASES = [
    (lambda: pn.SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (
        lambda: pn.SGD(lr=0.1, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    ),
    (lambda: pn.Adam(lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    (
        lambda: pn.Adam(lr=0.05, beta1=0.8, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.999), weight_decay=0.1),
    ),
    (lambda: pn.RMSprop(lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    (
        lambda: pn.RMSprop(lr=0.01, alpha=0.9, momentum=0.5, centered=True),
        lambda p: torch.optim.RMSprop(
            p, lr=0.01, alpha=0.9, momentum=0.5, centered=True
        ),
    ),
    (lambda: pn.Adagrad(lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1)),
    (
        lambda: pn.Adagrad(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5),
        lambda p: torch.optim.Adagrad(
            p, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5
        ),
    ),
]


@pytest.mark.parametrize(("ours", "theirs"), CASES)
def test_the_same_weights_as_pytorch_after_five_steps(ours, theirs):
    net = plainnet_net()
    model = torch_net(net)
    optimizer = theirs(model.parameters())
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    for _ in range(5):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(Xt), Yt).backward()
        optimizer.step()
    net.fit(X, Y, loss="cross_entropy", optimizer=ours(), epochs=5, batch_size=None)
    for index in (0, 2):
        params = net.layers[index].params
        np.testing.assert_allclose(
            params["W"], model[index].weight.detach().numpy().T, rtol=0, atol=1e-10
        )
        np.testing.assert_allclose(
            params["b"], model[index].bias.detach().numpy(), rtol=0, atol=1e-10
        )
    moved = net.parameters - plainnet_net().parameters
    assert np.abs(moved).max() > 1e-3  # the test compares real steps
