r"""Multi-layer perceptrons written from scratch in numpy: ``MLPClassifier`` and ``MLPRegressor``.

Both estimators share :class:`_BaseMLP`, which owns the network's arrays and trains them with the
shared optimisers and training loop of ``skdl._optim``; the mathematics lives in ``_network``
(forward propagation, backpropagation), ``_layers`` (batch normalisation, dropout, output losses)
and ``_activations``.
"""

from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from .._optim import (
    SCHEDULES,
    LossHistory,
    expected_batch_weight,
    make_optimizer,
    make_schedule,
    minimize_first_order,
    run_single_epoch,
)
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._validation import check_classification_labels, check_sample_weight
from ._activations import ACTIVATIONS
from ._network import initialize_parameters, network_loss_grad, penalty_loss_grad, predict_logits

# Running statistics of batch normalisation: running = (1 - m) * running + m * batch statistic.
_BATCH_NORM_MOMENTUM = 0.1

_OBJECTIVE_NOTES = r"""
    The network computes, for each hidden layer :math:`l`,
    :math:`A_l = \operatorname{dropout}(g(\operatorname{BN}(A_{l-1} W_l + b_l)))` (batch
    normalisation and dropout when asked for) and the output :math:`Z_L = A_{L-1} W_L + b_L`.
    Training minimises, with sample weights :math:`w_i` summing to :math:`m` (the number of rows
    when unweighted),

    .. math::

        J = \frac{1}{m} \sum_i w_i\, \ell(Z_L(x_i), y_i)
            + \frac{\alpha}{2m} \sum_l \lVert W_l \rVert_F^2,

    the course's regularised cost with :math:`\lambda = \alpha`; intercepts and the batch-norm
    scales and shifts are not penalised. Each step on a mini-batch :math:`B` of the :math:`n` rows
    descends :math:`\frac{1}{m|B|/n} \sum_{i \in B} w_i\, \ell(Z_L(x_i), y_i)` (its weighted loss over
    the weight a batch of its size carries on average) plus the whole penalty
    :math:`\frac{\alpha}{2m}\sum_l\lVert W_l\rVert^2`: an unbiased estimate of :math:`J` and of its
    gradient, in which a batch of light rows counts less than one of heavy rows and a batch whose
    rows all weigh zero only shrinks the weights. (Batch normalisation still takes its statistics
    with the weights normalised within the batch.) ``partial_fit`` divides the penalty by the
    weight of every row seen since ``fit`` rather than by that of its own rows (see
    :meth:`partial_fit`). Backpropagation is written out in ``skdl.neural_network._network`` and
    checked against ``skdl.utils.check_gradient`` in the tests.
"""


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, training, early stopping."""

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "solver": [StrOptions({"sgd", "momentum", "rmsprop", "adam"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions(set(SCHEDULES))],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=1e-4,
        dropout=0.0,
        batch_norm=False,
        solver="adam",
        learning_rate_init=1e-3,
        lr_schedule="constant",
        batch_size=200,
        max_iter=200,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    # ----------------------------------------------------------------- hooks of the subclasses
    def _encode_targets(self, y, dtype, first_call, classes=None):
        """Return the targets as the output loss expects them; set the target attributes."""
        raise NotImplementedError

    def _score_logits(self, Z, y_encoded, sample_weight):
        """The validation score (accuracy or R²) of the logits ``Z``."""
        raise NotImplementedError

    # ----------------------------------------------------------------- state of the network
    def _hidden_sizes(self):
        sizes = [int(size) for size in np.atleast_1d(self.hidden_layer_sizes)]
        if any(size < 1 for size in sizes):
            raise ValueError(f"hidden_layer_sizes must hold positive integers, got {self.hidden_layer_sizes}.")
        return sizes

    def _set_network(self, coefs, intercepts, dtype):
        """Install the arrays of a network (fresh or given) and the state that goes with them."""
        self._params = [np.array(a, dtype=dtype) for a in list(coefs) + list(intercepts)]
        n_layers = len(coefs)
        self.n_layers_ = n_layers + 1
        self.coefs_ = self._params[:n_layers]
        self.intercepts_ = self._params[n_layers:]
        self.bn_gammas_ = self.bn_betas_ = self.bn_running_means_ = self.bn_running_vars_ = None
        if self.batch_norm and n_layers > 1:
            hidden = [W.shape[1] for W in self.coefs_[:-1]]
            self.bn_gammas_ = [np.ones(h, dtype=dtype) for h in hidden]
            self.bn_betas_ = [np.zeros(h, dtype=dtype) for h in hidden]
            self.bn_running_means_ = [np.zeros(h, dtype=dtype) for h in hidden]
            self.bn_running_vars_ = [np.ones(h, dtype=dtype) for h in hidden]
            self._params += self.bn_gammas_ + self.bn_betas_
        self._bn_updates = 0
        self._seen_weight = 0.0
        self.n_iter_ = 0
        self.loss_curve_ = []
        self.validation_scores_ = None
        self.best_validation_score_ = None

    def _initialize(self, n_features, n_outputs, dtype, rng):
        sizes = [n_features] + self._hidden_sizes() + [n_outputs]
        coefs, intercepts = initialize_parameters(sizes, self.activation, rng, dtype)
        self._set_network(coefs, intercepts, dtype)

    def _start_training(self, rng):
        schedule = make_schedule(self.lr_schedule, self.learning_rate_init)
        self._optimizer = make_optimizer(self.solver, schedule)
        self._rng = rng
        no_change = self.max_iter + 1 if self.early_stopping else self.n_iter_no_change
        self._history = LossHistory(tol=self.tol, n_iter_no_change=no_change)

    def _batch_norm_state(self):
        if self.bn_gammas_ is None:
            return None
        return self.bn_gammas_, self.bn_betas_, self.bn_running_means_, self.bn_running_vars_

    def _update_running_statistics(self, batch_stats):
        """Move the running statistics towards a batch's; the first batch sets them."""
        momentum = 1.0 if self._bn_updates == 0 else _BATCH_NORM_MOMENTUM
        for (mean, var), running_mean, running_var in zip(
            batch_stats, self.bn_running_means_, self.bn_running_vars_
        ):
            running_mean += momentum * (mean - running_mean)
            running_var += momentum * (var - running_var)
        self._bn_updates += 1

    def _logits(self, X):
        return predict_logits(X, self.coefs_, self.intercepts_, self.activation, self._batch_norm_state())

    # ----------------------------------------------------------------- training
    @staticmethod
    def _total_weight(X, sample_weight):
        return float(X.shape[0] if sample_weight is None else sample_weight.sum())

    def _make_batch_loss_grad(self, X, Y, sample_weight, penalty_weight=None):
        """Close the objective over the data: the ``loss_grad(params, batch)`` of the loop.

        The data term is the rows' weighted loss over the weight of ``X``; the penalty is
        ``alpha / 2`` over ``penalty_weight`` (by default the weight of ``X`` too).
        """
        n_samples, total_weight = X.shape[0], self._total_weight(X, sample_weight)
        l2 = float(self.alpha) / (total_weight if penalty_weight is None else penalty_weight)
        use_batch_norm = self.bn_gammas_ is not None

        def batch_loss_grad(params, batch):
            X_batch, Y_batch = X[batch], Y[batch]
            if sample_weight is None:
                p, scale = 1.0 / X_batch.shape[0], 1.0
            else:
                p = sample_weight[batch]
                batch_weight = float(p.sum())
                if batch_weight == 0.0:
                    return penalty_loss_grad(params, l2=l2, batch_norm=use_batch_norm)
                p = p / batch_weight
                scale = batch_weight / expected_batch_weight(total_weight, n_samples, batch)
            loss, grads, batch_stats = network_loss_grad(
                X_batch, Y_batch, p, params, activation=self.activation,
                out_activation=self.out_activation_, l2=l2, scale=scale, batch_norm=use_batch_norm,
                dropout=self.dropout, rng=getattr(self, "_rng", None),
            )
            if use_batch_norm:
                self._update_running_statistics(batch_stats)
            return loss, grads

        return batch_loss_grad

    def _effective_batch_size(self, n_samples):
        return n_samples if self.batch_size is None else min(self.batch_size, n_samples)

    def _early_stopping_callback(self, X_val, Y_val, w_val):
        """``callback(epoch, loss)`` for the loop: score on the held-out rows, keep the best network."""
        self.validation_scores_ = []
        self.best_validation_score_ = -np.inf
        state = {"best": None, "without_improvement": 0}

        def callback(epoch, loss):
            score = self._score_logits(self._logits(X_val), Y_val, w_val)
            self.validation_scores_.append(score)
            if score < self.best_validation_score_ + self.tol:
                state["without_improvement"] += 1
            else:
                state["without_improvement"] = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                state["best"] = [a.copy() for a in self._all_arrays()]
            return state["without_improvement"] >= self.n_iter_no_change

        return callback, state

    def _all_arrays(self):
        arrays = list(self._params)
        if self.bn_running_means_ is not None:
            arrays += self.bn_running_means_ + self.bn_running_vars_
        return arrays

    def _stratify(self, Y):
        """The classes to stratify the validation split by, when every class can be split."""
        if self.out_activation_ == "identity":
            return None
        y_index = Y if Y.ndim == 1 else Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]
        counts = np.unique(y_index, return_counts=True)[1]
        n_val = int(np.ceil(self.validation_fraction * len(y_index)))
        feasible = counts.min() >= 2 and len(counts) <= n_val <= len(y_index) - len(counts)
        return y_index if feasible else None

    def _fit(self, X, y, sample_weight):
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32],
            multi_output=isinstance(self, RegressorMixin), y_numeric=isinstance(self, RegressorMixin),
        )
        Y = self._encode_targets(y, X.dtype, first_call=True)
        weights = None if sample_weight is None else check_sample_weight(sample_weight, X, dtype=X.dtype)
        rng = check_random_state(self.random_state)
        self._initialize(X.shape[1], self.n_outputs_, X.dtype, rng)
        self._start_training(rng)
        callback = None
        if self.early_stopping:
            w = np.ones(X.shape[0], dtype=X.dtype) if weights is None else weights
            X, X_val, Y, Y_val, w, w_val = train_test_split(
                X, Y, w, test_size=self.validation_fraction, random_state=rng,
                stratify=self._stratify(Y),
            )
            weights = None if sample_weight is None else w
            w_val = w_val if w_val.sum() > 0 else None
            callback, state = self._early_stopping_callback(X_val, Y_val, w_val)
        self._seen_weight = self._total_weight(X, weights)
        _, self.n_iter_ = minimize_first_order(
            self._make_batch_loss_grad(X, Y, weights), self._params, self._optimizer, X.shape[0],
            batch_size=self._effective_batch_size(X.shape[0]), max_iter=self.max_iter,
            tol=self.tol, rng=rng, history=self._history, callback=callback,
            estimator_name=type(self).__name__,
        )
        if callback is not None and state["best"] is not None:
            for array, best in zip(self._all_arrays(), state["best"]):
                np.copyto(array, best)
        return self._finish_epochs()

    def _finish_epochs(self):
        self.loss_curve_ = list(self._history.losses)
        self.loss_ = self.loss_curve_[-1]
        return self

    def _partial_fit(self, X, y, sample_weight, classes=None):
        first_call = not hasattr(self, "coefs_")
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], reset=first_call,
            multi_output=isinstance(self, RegressorMixin), y_numeric=isinstance(self, RegressorMixin),
        )
        Y = self._encode_targets(y, X.dtype, first_call=first_call, classes=classes)
        weights = None if sample_weight is None else check_sample_weight(sample_weight, X, dtype=X.dtype)
        rng = check_random_state(self.random_state)
        if first_call:
            self._initialize(X.shape[1], self.n_outputs_, X.dtype, rng)
        if not hasattr(self, "_optimizer"):
            self._start_training(rng)
        self._seen_weight += self._total_weight(X, weights)
        run_single_epoch(
            self._make_batch_loss_grad(X, Y, weights, penalty_weight=self._seen_weight),
            self._params, self._optimizer, self._history, X.shape[0],
            self._effective_batch_size(X.shape[0]), self._rng,
        )
        self.n_iter_ += 1
        return self._finish_epochs()

    def _validate_for_predict(self, X):
        check_is_fitted(self)
        return validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)

    @classmethod
    def _from_weights(cls, coefs, intercepts, params):
        if len(coefs) != len(intercepts) or not coefs:
            raise ValueError("coefs and intercepts must be lists of the same, non-zero length.")
        sizes = [np.shape(W)[1] for W in coefs[:-1]]
        estimator = cls(hidden_layer_sizes=tuple(sizes), **params)
        dtype = np.result_type(np.asarray(coefs[0]).dtype, np.float32)
        estimator._set_network(coefs, intercepts, dtype)
        for W, b, fan_in in zip(estimator.coefs_, estimator.intercepts_, [None] + sizes):
            if W.ndim != 2 or b.shape != (W.shape[1],) or fan_in not in (None, W.shape[0]):
                raise ValueError("coefs[l] must be (units in, units out) and intercepts[l] (units out,).")
        estimator.n_features_in_ = estimator.coefs_[0].shape[0]
        estimator.n_outputs_ = estimator.coefs_[-1].shape[1]
        estimator._bn_updates = 1
        return estimator

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_PARAMETERS_DOC = r"""
    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer; ``()`` gives a network without hidden layers (a linear model).
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}, default="relu"
        Activation :math:`g` of the hidden layers (leaky ReLU has slope 0.01 below zero).
    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights, the course's :math:`\lambda` (see Notes for the
        scaling); intercepts are not penalised.
    dropout : float in [0, 1), default=0.0
        Probability of zeroing each hidden unit in training (inverted dropout: kept units are
        scaled by :math:`1 / (1 - \text{dropout})`, so prediction uses the whole network as is).
    batch_norm : bool, default=False
        Normalise each hidden layer's pre-activations over the mini-batch, with a learned scale
        :math:`\gamma` and shift :math:`\beta` (which replaces the layer's intercept, left at zero);
        prediction uses running averages of the batch statistics.
    solver : {"sgd", "momentum", "rmsprop", "adam"}, default="adam"
        The shared first-order optimiser: mini-batch SGD, SGD with momentum 0.9, RMSprop or Adam.
    learning_rate_init : float, default=1e-3
        Initial step size.
    lr_schedule : {"constant", "inverse_time", "exponential", "step"}, default="constant"
        Decay of the step size with the epoch (see ``skdl._optim._schedules``).
    batch_size : int or None, default=200
        Rows per mini-batch (clipped to the number of rows); ``None`` is full-batch training.
    max_iter : int, default=200
        Largest number of epochs of ``fit``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows (stratified for the classifier), stop
        when their score has not improved by ``tol`` for ``n_iter_no_change`` epochs, and keep the
        network of the best epoch. Otherwise training stops when the training loss has not
        improved by ``tol`` for ``n_iter_no_change`` epochs.
    validation_fraction : float in (0, 1), default=0.1
        Share of the rows held out by ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    tol : float, default=1e-4
        Smallest improvement that counts (relative to the loss when the loss exceeds 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the mini-batch shuffling, dropout and the validation split.
"""

_ATTRIBUTES_DOC = r"""
    coefs_ : list of ndarray
        ``coefs_[l]`` of shape (units in, units out) is the weight matrix :math:`W_{l+1}`.
    intercepts_ : list of ndarray
        ``intercepts_[l]`` of shape (units out,) is :math:`b_{l+1}`.
    bn_gammas_, bn_betas_ : list of ndarray or None
        Batch-normalisation scale and shift of each hidden layer (``batch_norm=True`` only).
    bn_running_means_, bn_running_vars_ : list of ndarray or None
        Running batch statistics used at prediction time (``batch_norm=True`` only).
    n_layers_ : int
        Layers, the input and output layers included.
    n_outputs_ : int
        Output units.
    out_activation_ : str
        ``"softmax"``, ``"logistic"`` or ``"identity"``.
    loss_ : float
        Training objective of the last epoch.
    loss_curve_ : list of float
        Training objective per epoch (the mean over its mini-batches, dropout included).
    validation_scores_ : list of float or None
        Score on the held-out rows after each epoch (``early_stopping=True`` only).
    best_validation_score_ : float or None
        The best of ``validation_scores_``, whose network is kept.
    n_iter_ : int
        Epochs run (by ``fit``, plus one per ``partial_fit`` call).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.
"""


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = (
        r"""Multi-layer perceptron classifier, from scratch in numpy: the course's neural network.

    Two classes use one sigmoid output unit and the logistic loss; more classes use a softmax
    output layer and the cross-entropy.
"""
        + _PARAMETERS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels."""
        + _ATTRIBUTES_DOC
        + r"""
    See Also
    --------
    MLPRegressor : The same network with an identity output and the squared loss.
    sklearn.neural_network.MLPClassifier : scikit-learn's counterpart.

    Notes
    -----"""
        + _OBJECTIVE_NOTES
        + r"""
    :math:`\ell` is the softmax cross-entropy :math:`\log\sum_k e^{z_k} - z_y`, or for two classes
    the logistic loss :math:`\log(1 + e^z) - yz` (the course's :math:`-y\log h - (1-y)\log(1-h)`).
    A network given to :meth:`from_weights` with ``output_activation="logistic"`` has the course's
    K sigmoid output units, trained on the sum of their logistic losses.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skdl.neural_network import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
    >>> model = MLPClassifier(hidden_layer_sizes=(64,), learning_rate_init=0.01, random_state=0)
    >>> model = model.fit(X_train, y_train)
    >>> bool(model.score(X_test, y_test) > 0.95)
    True
    """
    )

    def _encode_targets(self, y, dtype, first_call, classes=None):
        y = check_classification_labels(y)
        if type_of_target(y) not in ("binary", "multiclass"):
            raise ValueError(f"{type(self).__name__} supports binary and multiclass targets, got {type_of_target(y)}.")
        if first_call:
            labels = np.unique(y if classes is None else classes)
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in the data, but "
                    f"the data contains only one class: {labels[0]!r}."
                )
            self.classes_ = labels
            self.out_activation_ = "logistic" if len(labels) == 2 else "softmax"
            self.n_outputs_ = 1 if len(labels) == 2 else len(labels)
        unseen = np.setdiff1d(y, self.classes_)
        if unseen.size:
            raise ValueError(f"y contains labels {unseen.tolist()} not in classes {self.classes_.tolist()}.")
        y_index = np.searchsorted(self.classes_, y)
        if self.out_activation_ == "softmax":
            return y_index
        if self.n_outputs_ == 1:
            return y_index[:, None].astype(dtype)
        return np.eye(self.n_outputs_, dtype=dtype)[y_index]

    @staticmethod
    def _index_from_logits(Z):
        return (Z[:, 0] > 0).astype(np.intp) if Z.shape[1] == 1 else Z.argmax(axis=1)

    def _score_logits(self, Z, y_encoded, sample_weight):
        if y_encoded.ndim == 2:
            y_encoded = y_encoded[:, 0].astype(np.intp) if y_encoded.shape[1] == 1 else y_encoded.argmax(axis=1)
        return float(np.average(self._index_from_logits(Z) == y_encoded, weights=sample_weight))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train a fresh network on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32.
        y : array-like of shape (n_samples,)
            Class labels, of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the objective (with full-batch training, no dropout and no early
            stopping, weight k is exactly the row repeated k times).

        Returns
        -------
        self : MLPClassifier
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        r"""Run one epoch of mini-batch training on ``(X, y)``, continuing from the current network.

        Each call trains towards the objective of all the data seen so far: its rows' weighted
        mean loss plus the penalty :math:`\frac{\alpha}{2m}\sum_l\lVert W_l\rVert^2` with :math:`m`
        the total weight of every row passed to ``fit`` and ``partial_fit`` since the last ``fit``
        (the ridge-style objective of the whole stream, however it is split into calls). Passing
        the same rows again counts them as new data, so :math:`m` keeps growing and the penalty
        keeps shrinking over repeated epochs; use :meth:`fit` for the exact objective of a fixed
        data set.

        ``early_stopping`` does not apply.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call, ignored after.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : MLPClassifier
        """
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._partial_fit(X, y, sample_weight, classes)

    @classmethod
    def from_weights(cls, coefs, intercepts, *, classes, output_activation="softmax", **params):
        r"""Build a fitted classifier from given weights, for instance a network trained elsewhere.

        Parameters
        ----------
        coefs : list of array-like
            ``coefs[l]`` of shape (units in, units out). The course's :math:`\Theta^{(l)}` (bias
            column first) gives ``Theta[:, 1:].T``.
        intercepts : list of array-like
            ``intercepts[l]`` of shape (units out,): the course's ``Theta[:, 0]``.
        classes : array-like of shape (n_classes,)
            The label of each output unit, in order (one output unit for two classes).
        output_activation : {"softmax", "logistic"}, default="softmax"
            With more than two classes, ``"logistic"`` gives the course's K sigmoid output units,
            whose ``predict_proba`` rows are the course's :math:`h_\Theta(x)` (they need not sum to
            one).
        **params
            Other constructor parameters (``activation``, ...); ``hidden_layer_sizes`` is taken
            from ``coefs``. Further training continues with :meth:`partial_fit`.

        Returns
        -------
        model : MLPClassifier

        Examples
        --------
        The course's trained digit network (exercise 4); its label 10 stands for the digit 0:

        >>> import numpy as np
        >>> from skdl.datasets import load_course_network_weights
        >>> from skdl.neural_network import MLPClassifier
        >>> w = load_course_network_weights()
        >>> net = MLPClassifier.from_weights(
        ...     [w.Theta1[:, 1:].T, w.Theta2[:, 1:].T], [w.Theta1[:, 0], w.Theta2[:, 0]],
        ...     classes=np.arange(1, 11), activation="sigmoid", output_activation="logistic")
        >>> net.hidden_layer_sizes, net.predict_proba(np.zeros((1, 400))).shape
        ((25,), (1, 10))
        """
        if output_activation not in ("softmax", "logistic"):
            raise ValueError(f"output_activation must be 'softmax' or 'logistic', got {output_activation!r}.")
        model = cls._from_weights(coefs, intercepts, params)
        model.classes_ = np.asarray(classes)
        expected = 1 if len(model.classes_) == 2 else len(model.classes_)
        if model.n_outputs_ not in (expected, len(model.classes_)):
            raise ValueError(f"The last layer has {model.n_outputs_} units for {len(model.classes_)} classes.")
        model.out_activation_ = "logistic" if model.n_outputs_ == 1 else output_activation
        return model

    def predict_proba(self, X):
        """Return the class probabilities: the output layer's activations.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        return self._proba_from_logits(self._logits(self._validate_for_predict(X)))

    def _proba_from_logits(self, Z):
        if self.out_activation_ == "softmax":
            return softmax(Z, axis=1)
        h = expit(Z)
        return np.hstack([1.0 - h, h]) if h.shape[1] == 1 else h

    def predict_log_proba(self, X):
        """Return the log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._logits(self._validate_for_predict(X))
        if self.out_activation_ == "softmax":
            return log_softmax(Z, axis=1)
        return np.log(self._proba_from_logits(Z))

    def predict(self, X):
        """Predict the class of each row: the output unit of highest activation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        Z = self._logits(self._validate_for_predict(X))
        return self.classes_[self._index_from_logits(Z)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = (
        r"""Multi-layer perceptron regressor, from scratch in numpy: identity output, squared loss.
"""
        + _PARAMETERS_DOC
        + """
    Attributes
    ----------"""
        + _ATTRIBUTES_DOC
        + r"""
    See Also
    --------
    MLPClassifier : The same network with a softmax (or sigmoid) output.
    sklearn.neural_network.MLPRegressor : scikit-learn's counterpart.

    Notes
    -----"""
        + _OBJECTIVE_NOTES
        + r"""
    :math:`\ell = \tfrac12 \lVert z - y \rVert^2`, summed over the targets.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(500, 2))
    >>> y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    >>> model = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", learning_rate_init=0.01,
    ...                      max_iter=300, random_state=0).fit(X, y)
    >>> bool(model.score(X, y) > 0.95)
    True
    """
    )

    def _encode_targets(self, y, dtype, first_call, classes=None):
        Y = np.asarray(y, dtype=dtype)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if first_call:
            self.out_activation_ = "identity"
            self.n_outputs_ = Y.shape[1]
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} targets; the network was fitted with {self.n_outputs_}.")
        return Y

    def _score_logits(self, Z, y_encoded, sample_weight):
        return float(r2_score(y_encoded, Z, sample_weight=sample_weight))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train a fresh network on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the objective (with full-batch training, no dropout and no early
            stopping, weight k is exactly the row repeated k times).

        Returns
        -------
        self : MLPRegressor
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        r"""Run one epoch of mini-batch training on ``(X, y)``, continuing from the current network.

        Each call trains towards the objective of all the data seen so far: its rows' weighted
        mean loss plus the penalty :math:`\frac{\alpha}{2m}\sum_l\lVert W_l\rVert^2` with :math:`m`
        the total weight of every row passed to ``fit`` and ``partial_fit`` since the last ``fit``
        (the ridge-style objective of the whole stream, however it is split into calls). Passing
        the same rows again counts them as new data, so :math:`m` keeps growing and the penalty
        keeps shrinking over repeated epochs; use :meth:`fit` for the exact objective of a fixed
        data set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : MLPRegressor
        """
        return self._partial_fit(X, y, sample_weight)

    @classmethod
    def from_weights(cls, coefs, intercepts, **params):
        """Build a fitted regressor from given weights.

        Parameters
        ----------
        coefs : list of array-like
            ``coefs[l]`` of shape (units in, units out).
        intercepts : list of array-like
            ``intercepts[l]`` of shape (units out,).
        **params
            Other constructor parameters (``activation``, ...).

        Returns
        -------
        model : MLPRegressor

        Examples
        --------
        >>> from skdl.neural_network import MLPRegressor
        >>> model = MLPRegressor.from_weights([[[2.0]]], [[1.0]])
        >>> model.predict([[3.0]])
        array([7.])
        """
        model = cls._from_weights(coefs, intercepts, params)
        model.out_activation_ = "identity"
        return model

    def predict(self, X):
        """Predict the targets: the output layer :math:`Z_L`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        Z = self._logits(self._validate_for_predict(X))
        return Z.ravel() if Z.shape[1] == 1 else Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
