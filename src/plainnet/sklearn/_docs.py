"""The docstring sections both estimators share: their parameters and their
fitted attributes."""

_PARAMETERS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Width of each hidden ``Dense`` layer; ``()`` gives a linear model.
    activation : str, default "relu"
        Hidden activation, by name: "relu", "tanh", "logistic" (or "sigmoid"),
        "identity", "leaky_relu", "gelu".
    optimizer : {"adam", "sgd", "rmsprop", "adagrad", "lbfgs"}, default "adam"
        scikit-learn's ``solver``. "lbfgs" (which needs SciPy) minimises the
        whole training cost with L-BFGS, one iteration per epoch, ignoring
        ``batch_size``, ``shuffle`` and the learning rate: often the best choice
        for small data sets.
    learning_rate : float, default 1e-3
        The (starting) learning rate.
    learning_rate_schedule : str, Schedule or None, default None
        How the learning rate changes: "constant", "step", "exponential",
        "cosine" or "plateau", each fitted to ``max_epochs`` epochs as
        :func:`plainnet.schedules.for_training` describes, or a
        :class:`plainnet.schedules.Schedule` (which then sets the rate itself;
        a model file holds names only). ``None`` keeps it constant.
    batch_size : int, default 200
        Samples per gradient step, clipped to the data size.
    max_epochs : int, default 200
        Most passes over the data in one ``fit``.
    alpha : float, default 1e-4
        L2 penalty on the weights (not the biases), as in scikit-learn's MLP:
        each batch's loss gets ``alpha / 2 * ||W||**2 / n``, with ``n`` the
        batch size (times the mean sample weight). It is applied by adding
        ``alpha * W / n`` to the weight gradients before each step (a
        ``grad_hook``), so it works the same with every optimizer. As in
        scikit-learn, ``loss_curve_`` includes the penalty (``model_.history``
        does not). The regressor's loss is the mean squared error, twice
        scikit-learn's, so there the same ``alpha`` weighs half as much.
    dropout : float, default 0.0
        Rate of a ``Dropout`` layer after each hidden activation (none at 0).
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data (stratified for single-label
        classification) and stop when its loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs; the weights of the best epoch are restored.
        (``partial_fit`` neither holds out data nor stops.)
        Without it, training stops when the training loss (with the L2 term) has
        not improved by ``tol`` for ``n_iter_no_change`` epochs (the last
        weights are kept).
    validation_fraction : float, default 0.1
    n_iter_no_change : int, default 10
    tol : float, default 1e-4
    shuffle : bool, default True
        Visit the samples in a new order each epoch.
    random_state : int, RandomState or None, default None
        Seeds the initial weights, the shuffling, the dropout masks and the
        validation split: an int gives the same model every time.
    dtype : {"float32", "float64"}, default "float32"
        Precision of the network and of the data inside it.
    warm_start : bool, default False
        ``fit`` continues from the current weights instead of starting anew
        (with a fresh optimizer, as in scikit-learn).
    verbose : bool, default False
        Show a progress bar over the epochs (on a terminal only).
    layers : list of Layer, optional
        The hidden layers, in place of ``hidden_layer_sizes``, ``activation``
        and ``dropout``: for example ``[Conv2D(1, 8, 3), ReLU(), MaxPool2D(2)]``.
        The output layer for the task (``Flatten`` if needed, then ``Dense``)
        is added unless the list ends in a ``Dense`` of the right width. The
        layers given are never trained themselves: ``fit`` builds fresh copies.
    input_shape : tuple of int, optional
        One sample's shape for ``layers``: each flat row of ``X`` (of
        ``prod(input_shape)`` features) is reshaped to it, as
        ``X.reshape(-1, *input_shape)``; ``(1, 8, 8)`` for scikit-learn's digits.
    device : str, optional
        Where the network trains and predicts (:mod:`plainnet.backend`):
        ``"cpu"`` (the default), ``"cuda"``/``"cuda:1"`` (CuPy, the ``cuda``
        extra). ``X`` is moved once per ``fit`` and ``predict``; predictions
        come back as NumPy arrays; model files hold host arrays and load on
        any device.
"""

_ATTRIBUTES_DOC = """
    model_ : Sequential
        The trained network; it outputs logits for the classifier.
    architecture_ : tuple
        ``(hidden_layer_sizes, activation, dropout, dtype, layers, input_shape)``
        as ``model_`` was built with them (``set_params`` may have changed them
        since); ``layers`` as a list of ``{"class", "config"}`` entries.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when ``X`` had string column names (a pandas DataFrame).
    n_outputs_ : int
        Width of the network's output.
    n_iter_ : int
        Epochs run, over every ``fit`` (``warm_start``) and ``partial_fit`` call
        of this network.
    loss_curve_ : list of float
        Training loss of each of those epochs, plus the L2 term.
    validation_scores_ : list of float or None
        With ``early_stopping``, the score (accuracy or R^2) on the validation
        split after each epoch of the last ``fit``; ``None`` otherwise and after
        ``partial_fit``.
    best_loss_ : float
        The lowest of ``loss_curve_``, or with ``early_stopping`` the lowest
        validation loss of the last ``fit`` (whose weights are kept).
"""


def documented(cls: type) -> type:
    """Fill the shared ``Parameters`` and ``Attributes`` into a class docstring."""
    cls.__doc__ = cls.__doc__.format(
        parameters=_PARAMETERS_DOC.strip(), attributes=_ATTRIBUTES_DOC.strip()
    )
    return cls
