r"""Multi-layer perceptrons written from scratch in numpy: ``MLPClassifier`` and ``MLPRegressor``.

Both estimators share :class:`_BaseMLP`, which owns the network's arrays and trains them with the
shared optimisers and training loop of ``skdl._optim``; the mathematics lives in ``_network``
(initialisation, forward propagation, backpropagation), ``_layers`` (batch normalisation,
dropout, output losses) and ``_activations``.
"""

import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
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
from ..utils._compat import Hidden, Interval, StrOptions, _fit_context, validate_data
from ..utils._fit_state import discard_state_on_error
from ..utils._progress import EpochPrinter
from ..utils._validation import (
    check_classification_labels, check_sample_weight, check_two_classes, class_indices, validation_split,
)
from ._activations import ACTIVATIONS
from ._network import initialize_parameters, network_loss_grad, penalty_loss_grad, predict_logits

# Running statistics of batch normalisation: running = (1 - m) * running + m * batch statistic.
_BATCH_NORM_MOMENTUM = 0.1

# What the deprecated solver="momentum" meant: gradient descent with this momentum.
_OLD_MOMENTUM_SOLVER_MOMENTUM = 0.9

_DEPRECATED = "deprecated"


@dataclass(frozen=True)
class _TrainingOptions:
    """The optimiser's settings once the deprecated names are resolved; equal settings, same optimiser."""

    solver: str
    learning_rate: float
    schedule: str
    momentum: float
    nesterov: bool

    def make_optimizer(self):
        schedule = make_schedule(self.schedule, self.learning_rate)
        if self.solver == "sgd":
            return make_optimizer("sgd", schedule, momentum=self.momentum, nesterov=self.nesterov)
        return make_optimizer(self.solver, schedule)


def _warn_renamed(old, new):
    warnings.warn(
        f"{old} was renamed {new} in skdl 0.2 and will be removed in 0.3: pass {new} instead "
        f"(the value of {old}, when given, is used meanwhile).",
        FutureWarning,
        stacklevel=6,  # the caller of fit or partial_fit
    )


def _largest_magnitude(A):
    """:math:`\\max |a_{ij}|` over the stored values of a dense or sparse array (0 when empty)."""
    values = A.data if sp.issparse(A) else A
    if values.size == 0:
        return 0.0
    return float(max(values.max(), -values.min()))


def _check_magnitude(A, name):
    r"""Refuse values whose squares overflow or underflow ``A.dtype``.

    Training squares the gradients (Adam's and RMSprop's second moments, the squared loss), and
    the first layer's gradient :math:`X^\top\delta` is as large as :math:`X`: beyond
    :math:`\sqrt{\text{max}}` (about 1.3e154 in float64, 1.8e19 in float32) those squares are
    infinite, and below :math:`\sqrt{\text{tiny}}` (about 1.5e-154, 1.1e-19) every feature
    vanishes against the weights and only the intercepts learn. A network is not scale-invariant,
    so the input is refused with the remedy rather than fitted to a meaningless answer.
    """
    largest = _largest_magnitude(A)
    info = np.finfo(A.dtype)
    upper, lower = float(np.sqrt(info.max)), float(np.sqrt(info.tiny))
    if largest > upper:
        raise ValueError(
            f"{name} has values as large as {largest:.3g} in absolute value: beyond {upper:.3g} "
            f"the squared gradients of the network overflow {A.dtype.name}. Scale {name} first "
            "(e.g. sklearn.preprocessing.StandardScaler)."
        )
    if 0.0 < largest < lower:
        raise ValueError(
            f"The largest absolute value of {name} is {largest:.3g}: below {lower:.3g} its squares "
            f"underflow to zero in {A.dtype.name}, and the network's weights, which start near 1, "
            f"cannot resolve it. Scale {name} first (e.g. sklearn.preprocessing.StandardScaler)."
        )


def _held_out_r2(Y_train, w_train, Y_val, w_val):
    r"""The score of the regressor's early stopping: :math:`R^2` of the held-out rows.

    .. math::

        R^2 = 1 - \frac{\sum_i w_i \lVert z_i - y_i\rVert^2}{\sum_i w_i \lVert y_i - \bar y\rVert^2}

    over the held-out rows, pooled over the targets, with :math:`\bar y` the mean of the *training*
    part. scikit-learn's :math:`R^2` takes the held-out rows' own mean, which is undefined for a
    single held-out row and constant (0) when the held-out targets are equal, so it cannot rank
    the epochs of a small data set; this one always can, and ranks them as the held-out squared
    error does. Returns ``score(Z)``.
    """
    mean = np.average(Y_train, axis=0, weights=w_train)
    w = np.ones(Y_val.shape[0]) if w_val is None else w_val
    total = float(w @ np.square(Y_val - mean).sum(axis=1))
    if total == 0.0:  # every held-out target is the training mean: fall back to the mean error
        total = float(w.sum())

    def score(Z):
        return 1.0 - float(w @ np.square(Z - Y_val).sum(axis=1)) / total

    return score


class _BestEpoch:
    """Early stopping: score each epoch on the held-out rows, keep the best network's arrays."""

    def __init__(self, score, arrays, tol, n_iter_no_change):
        self.score, self.arrays = score, arrays
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.scores, self.best_score, self.best_arrays = [], -np.inf, None
        self.without_improvement = 0

    def record(self):
        """Score the current network; return True once it has not improved for long enough."""
        score = self.score()
        self.scores.append(score)
        self.without_improvement = self.without_improvement + 1 if score < self.best_score + self.tol else 0
        if score > self.best_score:
            self.best_score = score
            self.best_arrays = [a.copy() for a in self.arrays]
        return self.without_improvement >= self.n_iter_no_change

    def restore_best(self):
        for array, best in zip(self.arrays, self.best_arrays or []):
            np.copyto(array, best)


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, training, early stopping."""

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "solver": [StrOptions({"sgd", "rmsprop", "adam", "momentum"}, deprecated={"momentum"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "schedule": [StrOptions(set(SCHEDULES))],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither"), Hidden(StrOptions({_DEPRECATED}))],
        "lr_schedule": [StrOptions(set(SCHEDULES)), Hidden(StrOptions({_DEPRECATED}))],
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
        learning_rate=1e-3,
        schedule="constant",
        momentum=0.0,
        nesterov=False,
        batch_size=200,
        max_iter=200,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        verbose=0,
        random_state=None,
        learning_rate_init=_DEPRECATED,
        lr_schedule=_DEPRECATED,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.solver = solver
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.random_state = random_state
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule

    # ----------------------------------------------------------------- hooks of the subclasses
    def _encode_targets(self, y, dtype, first_call, classes=None, same_classes=False):
        """Return the targets as the output loss expects them; set the target attributes."""
        raise NotImplementedError

    def _make_validation_score(self, Y_train, w_train, Y_val, w_val):
        """``score(Z)``: the early-stopping score of the held-out logits ``Z``."""
        raise NotImplementedError

    def _class_index(self, Y):
        """The class of each encoded row, to stratify the validation split by (None: regression)."""
        return None

    # ----------------------------------------------------------------- options and state
    def _training_options(self):
        """The optimiser's settings, the deprecated names (with a FutureWarning) resolved."""
        learning_rate, schedule = self.learning_rate, self.schedule
        solver, momentum, nesterov = self.solver, float(self.momentum), bool(self.nesterov)
        if self.learning_rate_init != _DEPRECATED:
            _warn_renamed("learning_rate_init", "learning_rate")
            learning_rate = self.learning_rate_init
        if self.lr_schedule != _DEPRECATED:
            _warn_renamed("lr_schedule", "schedule")
            schedule = self.lr_schedule
        if solver == "momentum":
            warnings.warn(
                "solver='momentum' was deprecated in skdl 0.2 and will be removed in 0.3: pass "
                f"solver='sgd', momentum={_OLD_MOMENTUM_SOLVER_MOMENTUM} instead (add nesterov=True "
                "for Nesterov's momentum).",
                FutureWarning,
                stacklevel=5,  # the caller of fit or partial_fit
            )
            solver, momentum = "sgd", momentum or _OLD_MOMENTUM_SOLVER_MOMENTUM
        if solver != "sgd":  # momentum and nesterov belong to "sgd"; the other solvers ignore them
            momentum, nesterov = 0.0, False
        return _TrainingOptions(solver, float(learning_rate), schedule, momentum, nesterov)

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
        if self.bn_gammas_ is not None:  # batch normalisation's shift replaces these intercepts
            for b in self.intercepts_[:-1]:
                b[:] = 0.0

    def _start_training(self, options, rng):
        """A fresh optimiser and loss history (``fit``, or the first ``partial_fit``)."""
        self._options, self._optimizer = options, options.make_optimizer()
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

    def _all_arrays(self):
        arrays = list(self._params)
        if self.bn_running_means_ is not None:
            arrays += self.bn_running_means_ + self.bn_running_vars_
        return arrays

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

    def _validate_training_data(self, X, y, sample_weight, *, reset, classes=None, same_classes=False):
        """Validated ``(X, Y, sample_weight)``; a network already there fixes the features and dtype.

        When ``reset`` (a new network) a failure leaves the estimator unfitted, since
        ``validate_data`` has already recorded the features; otherwise it keeps its network.
        """
        regressor = isinstance(self, RegressorMixin)
        with discard_state_on_error(self) if reset else nullcontext():
            X, y = validate_data(
                self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], reset=reset,
                multi_output=regressor, y_numeric=regressor,
            )
            if not reset:
                X = X.astype(self.coefs_[0].dtype, copy=False)
            Y = self._encode_targets(y, X.dtype, first_call=reset, classes=classes, same_classes=same_classes)
            weights = None if sample_weight is None else check_sample_weight(sample_weight, X, dtype=X.dtype)
            _check_magnitude(X, "X")  # after the labels and weights, whose errors say more
        return X, Y, weights

    def _hold_out(self, X, Y, weights, rng):
        """Split off the early-stopping rows; return the training part and ``score(Z)`` of the rest."""
        train, held_out = validation_split(
            X.shape[0], self.validation_fraction, rng, classes=self._class_index(Y)
        )
        w_train = None if weights is None else weights[train]
        w_val = None if weights is None else weights[held_out]
        if w_train is not None and w_train.sum() == 0:
            raise ValueError(
                "Every row left for training after the early-stopping hold-out weighs zero: give "
                "more rows a positive sample_weight, or set early_stopping=False."
            )
        if w_val is not None and w_val.sum() == 0:  # score the held-out rows unweighted
            w_val = None
        score = self._make_validation_score(Y[train], w_train, Y[held_out], w_val)
        X_val = X[held_out]
        return X[train], Y[train], w_train, lambda: score(self._logits(X_val))

    def _fit(self, X, y, sample_weight):
        options = self._training_options()
        warm = self.warm_start and hasattr(self, "coefs_")
        X, Y, weights = self._validate_training_data(X, y, sample_weight, reset=not warm, same_classes=warm)
        progress = EpochPrinter(self.verbose, type(self).__name__)
        with discard_state_on_error(self):
            rng = check_random_state(self.random_state)
            if not warm:
                self._initialize(X.shape[1], self.n_outputs_, X.dtype, rng)
            self._start_training(options, rng)
            best = None
            if self.early_stopping:
                X, Y, weights, score = self._hold_out(X, Y, weights, rng)
                best = _BestEpoch(score, self._all_arrays(), self.tol, self.n_iter_no_change)

            def after_epoch(epoch, loss):
                stop = best is not None and best.record()
                scores = {} if best is None else {"validation_score": best.scores[-1]}
                progress.step(epoch, loss=loss, **scores)
                return stop

            self._seen_weight = self._total_weight(X, weights)
            _, n_iter = minimize_first_order(
                self._make_batch_loss_grad(X, Y, weights), self._params, self._optimizer, X.shape[0],
                batch_size=self._effective_batch_size(X.shape[0]), max_iter=self.max_iter,
                tol=self.tol, rng=rng, history=self._history, callback=after_epoch,
                estimator_name=type(self).__name__,
            )
            if best is not None:
                best.restore_best()
            self.validation_scores_ = None if best is None else best.scores
            self.best_validation_score_ = None if best is None else best.best_score
            self.n_iter_ = n_iter
            self.loss_curve_ = self.loss_curve_ + self._history.losses
            self.loss_ = self.loss_curve_[-1]
        return self

    def _partial_fit(self, X, y, sample_weight, classes=None):
        options = self._training_options()
        first_call = not hasattr(self, "coefs_")
        X, Y, weights = self._validate_training_data(X, y, sample_weight, reset=first_call, classes=classes)
        progress = EpochPrinter(self.verbose, type(self).__name__)
        with discard_state_on_error(self):
            starting = not hasattr(self, "_optimizer")  # first call, or a network from from_weights
            rng = check_random_state(self.random_state) if starting else self._rng
            if first_call:
                self._initialize(X.shape[1], self.n_outputs_, X.dtype, rng)
            if starting:
                self._start_training(options, rng)
            elif options != self._options:  # set_params changed the solver: a fresh optimiser
                self._options, self._optimizer = options, options.make_optimizer()
            self._seen_weight += self._total_weight(X, weights)
            loss = run_single_epoch(
                self._make_batch_loss_grad(X, Y, weights, penalty_weight=self._seen_weight),
                self._params, self._optimizer, self._history, X.shape[0],
                self._effective_batch_size(X.shape[0]), self._rng, estimator_name=type(self).__name__,
            )
            self.n_iter_ += 1
            self.loss_curve_ = self.loss_curve_ + [loss]
            self.loss_ = loss
            progress.step(self.n_iter_, loss=loss)
        return self

    # ----------------------------------------------------------------- prediction
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


class MLPClassifier(ClassifierMixin, _BaseMLP):
    r"""Multi-layer perceptron classifier, from scratch in numpy: the course's neural network.

    Two classes use one sigmoid output unit and the logistic loss; more classes use a softmax
    output layer and the cross-entropy. The network is trained by mini-batch SGD (with optional
    momentum), RMSprop or Adam on the regularised cross-entropy; backpropagation is written out
    in ``skdl.neural_network._network``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer; ``()`` gives a network without hidden layers (logistic or
        softmax regression).
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
    solver : {"sgd", "rmsprop", "adam"}, default="adam"
        The shared first-order optimiser: mini-batch stochastic gradient descent (plain unless
        ``momentum > 0``), RMSprop or Adam. ``"momentum"`` is deprecated: use ``solver="sgd",
        momentum=0.9``.
    learning_rate : float, default=1e-3
        The step size :math:`\eta` at the first epoch (scikit-learn's ``learning_rate_init``).
    schedule : {"constant", "inverse_time", "exponential", "step"}, default="constant"
        Decay of the step size with the epoch (see ``skdl._optim._schedules``).
    momentum : float in [0, 1), default=0.0
        Momentum :math:`\mu` of ``solver="sgd"``; 0 is plain SGD, as ``"sgd"`` is everywhere in
        skdl (scikit-learn's MLP defaults to 0.9 with Nesterov's momentum). Ignored by the other
        solvers.
    nesterov : bool, default=False
        Use Nesterov's momentum with ``solver="sgd"`` and ``momentum > 0``.
    batch_size : int or None, default=200
        Rows per mini-batch, clipped to the number of rows (scikit-learn's ``"auto"``,
        ``min(200, n_samples)``); ``None`` is full-batch training.
    max_iter : int, default=200
        Largest number of epochs of ``fit``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows (stratified when every class can
        be split), stop when their accuracy has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and keep the network of the best epoch. Otherwise training
        stops when the training loss has not improved by ``tol`` for ``n_iter_no_change`` epochs.
    validation_fraction : float in (0, 1), default=0.1
        Share of the rows held out by ``early_stopping`` (at least one row).
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    tol : float, default=1e-4
        Smallest improvement that counts (relative to the loss when the loss exceeds 1).
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network (same classes required) with a
        fresh optimiser, as scikit-learn's MLP does (``loss_curve_`` keeps growing, ``n_iter_``
        counts this fit's epochs).
        When False, ``fit`` starts a new network.
    verbose : int, default=0
        When positive, print one line per epoch with the training loss (and the validation score
        with early stopping) and the elapsed time.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the mini-batch shuffling, dropout and the validation split.
    learning_rate_init : float, default="deprecated"
        Deprecated name of ``learning_rate`` (removed in skdl 0.3); when given, it is used.
    lr_schedule : str, default="deprecated"
        Deprecated name of ``schedule`` (removed in skdl 0.3); when given, it is used.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    coefs_ : list of ndarray
        ``coefs_[l]`` of shape (units in, units out) is the weight matrix :math:`W_{l+1}`.
    intercepts_ : list of ndarray
        ``intercepts_[l]`` of shape (units out,) is :math:`b_{l+1}`.
    bn_gammas_ : list of ndarray or None
        Batch-normalisation scale of each hidden layer (``batch_norm=True`` only).
    bn_betas_ : list of ndarray or None
        Batch-normalisation shift of each hidden layer (``batch_norm=True`` only).
    bn_running_means_ : list of ndarray or None
        Running means of the batch statistics, used at prediction time (``batch_norm=True`` only).
    bn_running_vars_ : list of ndarray or None
        Running variances of the batch statistics (``batch_norm=True`` only).
    n_layers_ : int
        Layers, the input and output layers included.
    n_outputs_ : int
        Output units.
    out_activation_ : str
        ``"softmax"`` or ``"logistic"``.
    loss_ : float
        Training objective of the last epoch.
    loss_curve_ : list of float
        Training objective per epoch (the mean over its mini-batches, dropout included): the
        epochs of the last ``fit`` and of the ``partial_fit`` calls since, after those of the
        earlier fits that ``warm_start=True`` continued.
    validation_scores_ : list of float or None
        Accuracy on the held-out rows after each epoch of the last ``fit``
        (``early_stopping=True`` only).
    best_validation_score_ : float or None
        The best of ``validation_scores_``, whose network is kept.
    n_iter_ : int
        Epochs run by the last ``fit`` (warm-started or not, as in scikit-learn), plus one per
        ``partial_fit`` call since.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    MLPRegressor : The same network with an identity output and the squared loss.
    sklearn.neural_network.MLPClassifier : The counterpart in scikit-learn.

    Notes
    -----
    The network computes, for each hidden layer :math:`l`,
    :math:`A_l = \operatorname{dropout}(g(\operatorname{BN}(A_{l-1} W_l + b_l)))` (batch
    normalisation and dropout when asked for) and the output :math:`Z_L = A_{L-1} W_L + b_L`.
    Training minimises, with sample weights :math:`w_i` summing to :math:`m` (the number of rows
    when unweighted),

    .. math::

        J = \frac{1}{m} \sum_i w_i\, \ell(Z_L(x_i), y_i)
            + \frac{\alpha}{2m} \sum_l \lVert W_l \rVert_F^2,

    the course's regularised cost with :math:`\lambda = \alpha`; intercepts and the batch-norm
    scales and shifts are not penalised. :math:`\ell` is the softmax cross-entropy
    :math:`\log\sum_k e^{z_k} - z_y`, or for two classes the logistic loss
    :math:`\log(1 + e^z) - yz` (the course's :math:`-y\log h - (1-y)\log(1-h)`). A network given to
    :meth:`from_weights` with ``output_activation="logistic"`` has the course's K sigmoid output
    units, trained on the sum of their logistic losses.

    Each step on a mini-batch :math:`B` of the :math:`n` rows descends
    :math:`\frac{1}{m|B|/n} \sum_{i \in B} w_i\, \ell(Z_L(x_i), y_i)` (its weighted loss over the
    weight a batch of its size carries on average) plus the whole penalty: an unbiased estimate
    of :math:`J` and of its gradient :math:`g`. ``solver="sgd"`` updates
    :math:`v \leftarrow \mu v - \eta g,\ \theta \leftarrow \theta + v` (Nesterov:
    :math:`\theta \leftarrow \theta + \mu v - \eta g`); Adam and RMSprop are those of
    ``skdl._optim``. The weights and intercepts start from Glorot and Bengio's uniform
    distribution :math:`U(\pm\sqrt{6 / (n_{in} + n_{out})})` (factor 2 for the sigmoid), drawn
    as scikit-learn draws them. Early stopping holds out its rows with the shared
    ``skdl.utils._validation.validation_split``.

    Inputs whose largest magnitude squares beyond the dtype's range (above about 1e154 in
    float64) or below it (under about 1e-154) are refused: the network is not scale-invariant,
    so scale them first.

    References
    ----------
    .. [1] X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
       neural networks", AISTATS 2010.
    .. [2] D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skdl.neural_network import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
    >>> model = MLPClassifier(hidden_layer_sizes=(64,), learning_rate=0.01, random_state=0)
    >>> model = model.fit(X_train, y_train)
    >>> bool(model.score(X_test, y_test) > 0.95)
    True
    """

    def _encode_targets(self, y, dtype, first_call, classes=None, same_classes=False):
        y = check_classification_labels(y)
        if type_of_target(y) not in ("binary", "multiclass"):
            raise ValueError(f"{type(self).__name__} supports binary and multiclass targets, got {type_of_target(y)}.")
        if first_call:
            labels = np.unique(y if classes is None else check_classification_labels(np.asarray(classes)))
            check_two_classes(labels, type(self).__name__)
            self.classes_ = labels
            self.out_activation_ = "logistic" if len(labels) == 2 else "softmax"
            self.n_outputs_ = 1 if len(labels) == 2 else len(labels)
        elif classes is not None and not np.array_equal(np.unique(check_classification_labels(np.asarray(classes))), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes the network was "
                f"trained with, {self.classes_.tolist()}; the output layer is fixed: call fit to "
                "train a network for other classes."
            )
        elif same_classes and not np.array_equal(np.unique(y), self.classes_):
            raise ValueError(
                f"warm_start=True continues the network trained on classes {self.classes_.tolist()}, "
                f"but y has the classes {np.unique(y).tolist()}; set warm_start=False to train a "
                "new network."
            )
        y_index = class_indices(y, self.classes_)
        if self.out_activation_ == "softmax":
            return y_index
        if self.n_outputs_ == 1:
            return y_index[:, None].astype(dtype)
        return np.eye(self.n_outputs_, dtype=dtype)[y_index]

    def _class_index(self, Y):
        if Y.ndim == 1:
            return Y
        return Y[:, 0].astype(np.intp) if Y.shape[1] == 1 else Y.argmax(axis=1)

    @staticmethod
    def _index_from_logits(Z):
        return (Z[:, 0] > 0).astype(np.intp) if Z.shape[1] == 1 else Z.argmax(axis=1)

    def _make_validation_score(self, Y_train, w_train, Y_val, w_val):
        y_val = self._class_index(Y_val)

        def accuracy(Z):
            return float(np.average(self._index_from_logits(Z) == y_val, weights=w_val))

        return accuracy

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``: a new one, or the current one with ``warm_start``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32, sparse data through sparse
            products in the first layer (it is never densified).
        y : array-like of shape (n_samples,)
            Class labels, of any type (numbers or strings, not both).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the objective (with full-batch training, no dropout and no early
            stopping, weight k is exactly the row repeated k times).

        Returns
        -------
        MLPClassifier
            The fitted classifier.
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
        data set. ``n_iter_`` grows by one per call. ``early_stopping`` does not apply. A
        solver setting changed with ``set_params`` since the last call takes effect with a fresh
        optimiser. A batch that is refused leaves the network as it was; a call that fails while
        training (divergence) leaves the estimator unfitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows of this batch.
        y : array-like of shape (n_samples,)
            Their class labels, all in ``classes_``.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear: required on the first call (unless the network
            comes from ``fit`` or :meth:`from_weights`); a later call may repeat it, and a
            different set raises a ``ValueError``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row of this batch.

        Returns
        -------
        MLPClassifier
            The classifier, trained for one more epoch.
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
            The label of each output unit, in the order of the units (one output unit, the
            probability of ``classes[1]``, for two classes). ``classes_`` holds them sorted, as
            after ``fit``, with the output units reordered to match.
        output_activation : {"softmax", "logistic"}, default="softmax"
            With more than two classes, ``"logistic"`` gives the course's K sigmoid output units,
            whose ``predict_proba`` rows are the course's :math:`h_\Theta(x)` (they need not sum to
            one).
        **params : dict
            Other constructor parameters (``activation``, ...); ``hidden_layer_sizes`` is taken
            from ``coefs``. Further training continues with :meth:`partial_fit`.

        Returns
        -------
        MLPClassifier
            A fitted classifier computing the given network.

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
        labels = check_classification_labels(np.asarray(classes))
        if labels.ndim != 1 or len(labels) < 2 or len(np.unique(labels)) != len(labels):
            raise ValueError(f"classes must name each output unit's label once, at least 2 labels; got {classes!r}.")
        model = cls._from_weights(coefs, intercepts, params)
        expected = 1 if len(labels) == 2 else len(labels)
        if model.n_outputs_ not in (expected, len(labels)):
            raise ValueError(f"The last layer has {model.n_outputs_} units for {len(labels)} classes.")
        order = np.argsort(labels, kind="stable")
        model.classes_ = labels[order]
        W, b = model.coefs_[-1], model.intercepts_[-1]
        if model.n_outputs_ > 1:
            W[...], b[...] = W[:, order], b[order]
        elif order[0] == 1:  # the unit gave P(classes[1]), now classes_[0]: sigmoid(-z) = 1 - sigmoid(z)
            W *= -1
            b *= -1
        model.out_activation_ = "logistic" if model.n_outputs_ == 1 else output_activation
        return model

    def predict_proba(self, X):
        """Return the class probabilities: the output layer's activations.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        Z = self._logits(self._validate_for_predict(X))
        if self.out_activation_ == "softmax":
            return softmax(Z, axis=1)
        if Z.shape[1] == 1:
            return np.hstack([expit(-Z), expit(Z)])
        return expit(Z)

    def predict_log_proba(self, X):
        """Return the log of :meth:`predict_proba`, computed without taking the log of 0.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            :math:`\\log` of each class probability: the log-softmax of the logits, or the
            log-sigmoid of each sigmoid unit's logit (a logit of 40 gives -40, not -inf).
        """
        Z = self._logits(self._validate_for_predict(X))
        if self.out_activation_ == "softmax":
            return log_softmax(Z, axis=1)
        if Z.shape[1] == 1:
            return np.hstack([log_expit(-Z), log_expit(Z)])
        return log_expit(Z)

    def predict(self, X):
        """Predict the class of each row: the output unit of highest activation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        Z = self._logits(self._validate_for_predict(X))
        return self.classes_[self._index_from_logits(Z)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    r"""Multi-layer perceptron regressor, from scratch in numpy: identity output, squared loss.

    The network of :class:`MLPClassifier` with a linear output layer, one unit per target,
    trained on half the squared error by mini-batch SGD (with optional momentum), RMSprop or
    Adam.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer; ``()`` gives a network without hidden layers (linear
        regression).
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
    solver : {"sgd", "rmsprop", "adam"}, default="adam"
        The shared first-order optimiser: mini-batch stochastic gradient descent (plain unless
        ``momentum > 0``), RMSprop or Adam. ``"momentum"`` is deprecated: use ``solver="sgd",
        momentum=0.9``.
    learning_rate : float, default=1e-3
        The step size :math:`\eta` at the first epoch (scikit-learn's ``learning_rate_init``).
    schedule : {"constant", "inverse_time", "exponential", "step"}, default="constant"
        Decay of the step size with the epoch (see ``skdl._optim._schedules``).
    momentum : float in [0, 1), default=0.0
        Momentum :math:`\mu` of ``solver="sgd"``; 0 is plain SGD, as ``"sgd"`` is everywhere in
        skdl (scikit-learn's MLP defaults to 0.9 with Nesterov's momentum). Ignored by the other
        solvers.
    nesterov : bool, default=False
        Use Nesterov's momentum with ``solver="sgd"`` and ``momentum > 0``.
    batch_size : int or None, default=200
        Rows per mini-batch, clipped to the number of rows (scikit-learn's ``"auto"``,
        ``min(200, n_samples)``); ``None`` is full-batch training.
    max_iter : int, default=200
        Largest number of epochs of ``fit``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows, stop when their :math:`R^2` (see
        Notes) has not improved by ``tol`` for ``n_iter_no_change`` epochs, and keep the network
        of the best epoch. Otherwise training stops when the training loss has not improved by
        ``tol`` for ``n_iter_no_change`` epochs.
    validation_fraction : float in (0, 1), default=0.1
        Share of the rows held out by ``early_stopping`` (at least one row).
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    tol : float, default=1e-4
        Smallest improvement that counts (relative to the loss when the loss exceeds 1).
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network (same number of targets
        required) with a fresh optimiser, as scikit-learn's MLP does (``loss_curve_`` keeps
        growing, ``n_iter_`` counts this fit's epochs). When False, ``fit`` starts a new network.
    verbose : int, default=0
        When positive, print one line per epoch with the training loss (and the validation score
        with early stopping) and the elapsed time.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the mini-batch shuffling, dropout and the validation split.
    learning_rate_init : float, default="deprecated"
        Deprecated name of ``learning_rate`` (removed in skdl 0.3); when given, it is used.
    lr_schedule : str, default="deprecated"
        Deprecated name of ``schedule`` (removed in skdl 0.3); when given, it is used.

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[l]`` of shape (units in, units out) is the weight matrix :math:`W_{l+1}`.
    intercepts_ : list of ndarray
        ``intercepts_[l]`` of shape (units out,) is :math:`b_{l+1}`.
    bn_gammas_ : list of ndarray or None
        Batch-normalisation scale of each hidden layer (``batch_norm=True`` only).
    bn_betas_ : list of ndarray or None
        Batch-normalisation shift of each hidden layer (``batch_norm=True`` only).
    bn_running_means_ : list of ndarray or None
        Running means of the batch statistics, used at prediction time (``batch_norm=True`` only).
    bn_running_vars_ : list of ndarray or None
        Running variances of the batch statistics (``batch_norm=True`` only).
    n_layers_ : int
        Layers, the input and output layers included.
    n_outputs_ : int
        Output units: the number of targets.
    out_activation_ : str
        ``"identity"``.
    loss_ : float
        Training objective of the last epoch.
    loss_curve_ : list of float
        Training objective per epoch (the mean over its mini-batches, dropout included): the
        epochs of the last ``fit`` and of the ``partial_fit`` calls since, after those of the
        earlier fits that ``warm_start=True`` continued.
    validation_scores_ : list of float or None
        :math:`R^2` of the held-out rows after each epoch of the last ``fit``
        (``early_stopping=True`` only).
    best_validation_score_ : float or None
        The best of ``validation_scores_``, whose network is kept.
    n_iter_ : int
        Epochs run by the last ``fit`` (warm-started or not, as in scikit-learn), plus one per
        ``partial_fit`` call since.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    MLPClassifier : The same network with a softmax (or sigmoid) output.
    sklearn.neural_network.MLPRegressor : The counterpart in scikit-learn.

    Notes
    -----
    The network computes, for each hidden layer :math:`l`,
    :math:`A_l = \operatorname{dropout}(g(\operatorname{BN}(A_{l-1} W_l + b_l)))` (batch
    normalisation and dropout when asked for) and the output :math:`Z_L = A_{L-1} W_L + b_L`.
    Training minimises, with sample weights :math:`w_i` summing to :math:`m` (the number of rows
    when unweighted),

    .. math::

        J = \frac{1}{m} \sum_i w_i\, \tfrac12 \lVert Z_L(x_i) - y_i \rVert^2
            + \frac{\alpha}{2m} \sum_l \lVert W_l \rVert_F^2,

    the course's regularised cost with :math:`\lambda = \alpha`; intercepts and the batch-norm
    scales and shifts are not penalised. Each step on a mini-batch :math:`B` of the :math:`n`
    rows descends its weighted loss over the weight a batch of its size carries on average, plus
    the whole penalty: an unbiased estimate of :math:`J` and of its gradient :math:`g`.
    ``solver="sgd"`` updates :math:`v \leftarrow \mu v - \eta g,\ \theta \leftarrow \theta + v`
    (Nesterov: :math:`\theta \leftarrow \theta + \mu v - \eta g`). The weights and intercepts
    start from Glorot and Bengio's uniform distribution :math:`U(\pm\sqrt{6 / (n_{in} + n_{out})})`
    (factor 2 for the sigmoid), drawn as scikit-learn draws them, so that on the same seed and a
    full batch the two libraries train the same network.

    Early stopping scores the held-out rows :math:`V` by

    .. math::

        R^2 = 1 - \frac{\sum_{i \in V} w_i \lVert z_i - y_i\rVert^2}{\sum_{i \in V} w_i \lVert y_i - \bar y\rVert^2},

    with :math:`\bar y` the mean target of the *training* rows (scikit-learn takes the held-out
    rows' own mean, which leaves :math:`R^2` undefined for one held-out row and constant when the
    held-out targets are equal; this one ranks the epochs of any hold-out as its squared error
    does).

    Inputs or targets whose largest magnitude squares beyond the dtype's range (above about
    1e154 in float64) or below it (under about 1e-154) are refused: the network is not
    scale-invariant, so scale them first.

    References
    ----------
    .. [1] X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
       neural networks", AISTATS 2010.
    .. [2] D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(500, 2))
    >>> y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    >>> model = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", learning_rate=0.01,
    ...                      max_iter=300, random_state=0).fit(X, y)
    >>> bool(model.score(X, y) > 0.95)
    True
    """

    def _encode_targets(self, y, dtype, first_call, classes=None, same_classes=False):
        Y = np.asarray(y, dtype=dtype)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        _check_magnitude(Y, "y")
        if first_call:
            self.out_activation_ = "identity"
            self.n_outputs_ = Y.shape[1]
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} target{'s' if Y.shape[1] > 1 else ''}, but the network was "
                f"trained for {self.n_outputs_}: its output layer is fixed. Pass y with "
                f"{self.n_outputs_} column{'s' if self.n_outputs_ > 1 else ''}, or call fit "
                f"(warm_start=False) to train a new network."
            )
        return Y

    def _make_validation_score(self, Y_train, w_train, Y_val, w_val):
        return _held_out_r2(Y_train, w_train, Y_val, w_val)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``: a new one, or the current one with ``warm_start``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32, sparse data through sparse
            products in the first layer (it is never densified).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the objective (with full-batch training, no dropout and no early
            stopping, weight k is exactly the row repeated k times).

        Returns
        -------
        MLPRegressor
            The fitted regressor.
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
        data set. ``n_iter_`` grows by one per call. ``early_stopping`` does not apply. A
        solver setting changed with ``set_params`` since the last call takes effect with a fresh
        optimiser. A batch that is refused leaves the network as it was; a call that fails while
        training (divergence) leaves the estimator unfitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows of this batch.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets, as many per row as the network has outputs.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row of this batch.

        Returns
        -------
        MLPRegressor
            The regressor, trained for one more epoch.
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
        **params : dict
            Other constructor parameters (``activation``, ...); ``hidden_layer_sizes`` is taken
            from ``coefs``. Further training continues with :meth:`partial_fit`.

        Returns
        -------
        MLPRegressor
            A fitted regressor computing the given network.

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
            The rows to predict.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            One column per target; 1-D for a single target.
        """
        Z = self._logits(self._validate_for_predict(X))
        return Z.ravel() if Z.shape[1] == 1 else Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
