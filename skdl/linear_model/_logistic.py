"""Logistic regression: binary, multinomial (softmax) and one-vs-rest."""

from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._optim import binary_logistic_loss_grad, minimize_scipy, multinomial_loss_grad
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._validation import check_classification_labels, check_sample_weight
from ..utils._threads import single_threaded_blas
from ._base import FirstOrderMixin, make_linear_loss_grad, sgd_only


def _encode_targets(y_index, n_classes, problem):
    """``y`` as the loss expects it: 0/1 for ``"binary"``, one-hot (n, K) otherwise."""
    if problem == "binary":
        return y_index.astype(np.float64)
    return np.eye(n_classes)[y_index]


def _loss_for(problem):
    return multinomial_loss_grad if problem == "multinomial" else binary_logistic_loss_grad


def fit_logistic_scipy(X, Y, sample_weight, l2, problem, fit_intercept, *, method, max_iter, tol):
    """Minimise the logistic objective with L-BFGS or CG on the flat vector ``[coef, intercept]``.

    Returns ``coef`` (p,) or (p, K), ``intercept`` and the number of iterations.
    """
    n_features = X.shape[1]
    coef_shape = (n_features,) if problem == "binary" else (n_features, Y.shape[1])
    n_coef = int(np.prod(coef_shape))
    loss_grad = _loss_for(problem)

    def fun_grad(theta):
        coef = theta[:n_coef].reshape(coef_shape)
        intercept = theta[n_coef:].reshape(coef_shape[1:]) if fit_intercept else 0.0
        loss, grad_coef, grad_intercept = loss_grad(X, Y, sample_weight, coef, intercept, l2)
        grads = [grad_coef.ravel(), np.ravel(grad_intercept)] if fit_intercept else [grad_coef.ravel()]
        return loss, np.concatenate(grads)

    n_intercept = int(np.prod(coef_shape[1:])) if fit_intercept else 0
    theta0 = np.zeros(n_coef + n_intercept)
    # Each iteration is two thin products (n x p by p x K); below about 2**26 multiply-adds a
    # multithreaded BLAS spends more on waking its threads than it saves (2-3x slower measured).
    thin = X.shape[0] * X.shape[1] * max(1, n_coef // max(1, n_features)) < 2**26
    with single_threaded_blas() if thin else nullcontext():
        theta, n_iter = minimize_scipy(
            fun_grad, theta0, method=method, max_iter=max_iter, tol=tol, estimator_name="LogisticRegression"
        )
    coef = theta[:n_coef].reshape(coef_shape)
    intercept = theta[n_coef:].reshape(coef_shape[1:]) if fit_intercept else np.zeros(coef_shape[1:])
    return coef, intercept, n_iter


class LogisticRegression(ClassifierMixin, FirstOrderMixin, BaseEstimator):
    r"""Logistic regression with an L2 penalty: the course's classifier, binary or multiclass.

    Parameters
    ----------
    C : float, default=1.0
        Inverse strength of the L2 penalty, as in scikit-learn: the course's :math:`\lambda` is
        ``1 / C``. The intercept is not penalised.
    penalty : {"l2", None}, default="l2"
        ``None`` fits without a penalty (``C`` is ignored).
    fit_intercept : bool, default=True
        Learn an intercept :math:`\theta_0`.
    multi_class : {"auto", "multinomial", "ovr"}, default="auto"
        With more than two classes: ``"multinomial"`` (and ``"auto"``) fit one softmax model,
        ``"ovr"`` one binary model per class against the rest. Two classes always give one binary
        model.
    solver : {"lbfgs", "cg", "gd", "sgd"}, default="lbfgs"
        ``"lbfgs"`` and ``"cg"`` minimise the objective with ``scipy.optimize`` (L-BFGS or conjugate
        gradient) and the analytic gradient. ``"gd"`` is batch gradient descent and ``"sgd"``
        mini-batch stochastic gradient descent (which also offers ``partial_fit``); both work on
        internally standardised features.
    learning_rate : float, default=0.1
        Step size of ``"gd"`` and ``"sgd"``.
    max_iter : int, default=1000
        Largest number of iterations (``"lbfgs"``, ``"cg"``) or epochs (``"gd"``, ``"sgd"``).
    tol : float, default=1e-6
        ``"lbfgs"``/``"cg"`` stop when the gradient is below ``tol``; ``"gd"``/``"sgd"`` when an epoch
        lowers the cost by less than ``tol``.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying the sample weights of each class; ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))``.
    batch_size : int, default=None
        Mini-batch size of ``"sgd"`` (``None`` means 200).
    random_state : int, RandomState instance or None, default=None
        Shuffles the mini-batches of ``"sgd"``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row for a binary problem (the class ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts :math:`\theta_0`, unpenalised; one for a binary problem.
    n_iter_ : int
        Iterations or epochs run.
    loss_curve_ : list of float
        The cost per epoch (``"gd"`` and ``"sgd"`` only).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : scikit-learn's counterpart (same objective).

    Notes
    -----
    The objective, with sample weights :math:`w_i` summing to :math:`W`, is

    .. math::

        J(\Theta) = \frac{1}{W}\sum_i w_i\, \ell(x_i^\top\Theta + \theta_0, y_i)
                    + \frac{1}{2CW}\lVert\Theta\rVert^2,

    with :math:`\ell` the logistic loss :math:`\log(1 + e^z) - yz` (binary and one-vs-rest) or the
    softmax cross-entropy :math:`\log\sum_k e^{z_k} - z_y` (multinomial). With unit weights and
    :math:`C = 1/\lambda` it is the course's regularised cost, whose gradient is
    :math:`\frac{1}{m} X^\top (h_\theta(X) - y) + \frac{\lambda}{m}\theta`.

    Examples
    --------
    >>> from skdl.datasets import load_exam_admissions
    >>> from skdl.linear_model import LogisticRegression
    >>> X, y = load_exam_admissions(return_X_y=True)
    >>> model = LogisticRegression(penalty=None).fit(X, y)
    >>> round(float(model.predict_proba([[45, 85]])[0, 1]), 3)
    0.776
    >>> float(model.score(X, y))
    0.89
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "penalty": [StrOptions({"l2"}), None],
        "fit_intercept": ["boolean"],
        "multi_class": [StrOptions({"auto", "multinomial", "ovr"})],
        "solver": [StrOptions({"lbfgs", "cg", "gd", "sgd"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        C=1.0,
        *,
        penalty="l2",
        fit_intercept=True,
        multi_class="auto",
        solver="lbfgs",
        learning_rate=0.1,
        max_iter=1000,
        tol=1e-6,
        class_weight=None,
        batch_size=None,
        random_state=None,
    ):
        self.C = C
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.multi_class = multi_class
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.batch_size = batch_size
        self.random_state = random_state

    def _problem(self):
        if len(self.classes_) == 2:
            return "binary"
        return "ovr" if self.multi_class == "ovr" else "multinomial"

    def _l2(self, total_weight):
        return 0.0 if self.penalty is None else 1.0 / (self.C * total_weight)

    def _weights(self, X, y_index, sample_weight):
        weights = check_sample_weight(sample_weight, X, dtype=X.dtype)
        if self.class_weight is not None:
            per_class = compute_class_weight(
                self.class_weight, classes=self.classes_, y=self.classes_[y_index]
            )
            weights = weights * per_class[y_index].astype(X.dtype)
        return weights

    def _validate_targets(self, y):
        y = check_classification_labels(y)
        unseen = np.setdiff1d(y, self.classes_)
        if unseen.size:
            raise ValueError(f"y contains labels {unseen.tolist()} not in classes {self.classes_.tolist()}.")
        return np.searchsorted(self.classes_, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels, of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample; weight k counts as the row repeated k times.

        Returns
        -------
        self : LogisticRegression
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        y = check_classification_labels(y)
        self._clear_first_order_state()
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                "LogisticRegression needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}."
            )
        y_index = np.searchsorted(self.classes_, y)
        weights = self._weights(X, y_index, sample_weight)
        Y = _encode_targets(y_index, len(self.classes_), self._problem())
        if self.solver in ("lbfgs", "cg"):
            coef, intercept, self.n_iter_ = fit_logistic_scipy(
                X, Y, weights, self._l2(weights.sum()), self._problem(), self.fit_intercept,
                method=self.solver, max_iter=self.max_iter, tol=self.tol,
            )
            self._set_coefficients(coef, intercept, X.dtype)
            return self
        return self._run_first_order(X, Y, weights, single_epoch=False)

    def _run_first_order(self, X, Y, weights, *, single_epoch):
        if not hasattr(self, "_optimizer"):
            coef_shape = (X.shape[1],) if self._problem() == "binary" else (X.shape[1], len(self.classes_))
            self._initialise_first_order(X, weights, coef_shape)
        X_scaled = (X - self._x_offset) / self._x_scale
        l2 = self._l2(self._penalty_weight(weights, single_epoch)) / self._x_scale**2
        loss_grad = make_linear_loss_grad(
            _loss_for(self._problem()), X_scaled, Y, weights, l2, self.fit_intercept
        )
        n_iter = self._train_first_order(loss_grad, X.shape[0], single_epoch=single_epoch)
        self.n_iter_ = getattr(self, "n_iter_", 0) + 1 if single_epoch else n_iter
        self.loss_curve_ = list(self._history.losses)
        coef_scaled = self._params[0]
        coef = coef_scaled / (self._x_scale[:, None] if coef_scaled.ndim == 2 else self._x_scale)
        intercept = (self._params[1] if self.fit_intercept else 0.0) - self._x_offset @ coef
        self._set_coefficients(coef, intercept, X.dtype)
        return self

    def _set_coefficients(self, coef, intercept, dtype):
        self.coef_ = np.ascontiguousarray(np.atleast_2d(coef.T), dtype=dtype)
        self.intercept_ = np.atleast_1d(np.asarray(intercept, dtype=dtype)).copy()

    @available_if(sgd_only)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of mini-batch SGD on ``(X, y)``, continuing from the current model.

        Only available with ``solver="sgd"``. The internal standardisation is fixed by the first
        call. The model after each call minimises the cost of all the data seen so far: the penalty
        is divided by the total weight seen, so splitting a stream into more calls does not
        strengthen it (a second pass over the same data counts as new data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call; if given later it must
            be the same.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : LogisticRegression
        """
        first_call = not hasattr(self, "_optimizer")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first_call and classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the first call to "
                f"partial_fit, {self.classes_.tolist()}; they cannot change during training."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the whole data set and is not supported by "
                "partial_fit; pass a dict of class weights instead."
            )
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=first_call)
        if first_call:
            self.classes_ = np.unique(classes)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"classes must hold at least 2 classes, got {self.classes_.tolist()}."
                )
        y_index = self._validate_targets(y)
        weights = self._weights(X, y_index, sample_weight)
        Y = _encode_targets(y_index, len(self.classes_), self._problem())
        return self._run_first_order(X, Y, weights, single_epoch=True)

    def decision_function(self, X):
        """Return the linear scores :math:`x^\\top\\Theta + \\theta_0`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]`` (positive means that class).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_log_proba(self, X):
        """Return the log of the class probabilities, computed stably.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        scores = self.decision_function(X)
        problem = self._problem()
        if problem == "binary":
            return log_softmax(np.column_stack([np.zeros_like(scores), scores]), axis=1)
        if problem == "multinomial":
            return log_softmax(scores, axis=1)
        return np.log(self._ovr_proba(scores))

    @staticmethod
    def _ovr_proba(scores):
        proba = expit(scores)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_proba(self, X):
        """Return the class probabilities, :math:`h_\\theta(x)` for each class.

        Binary: :math:`\\sigma(z)`; multinomial: :math:`\\operatorname{softmax}(z)`; one-vs-rest: the
        per-class sigmoids normalised to sum to one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        if self._problem() == "ovr":
            return self._ovr_proba(self.decision_function(X))
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """Predict the class of each sample: the one of highest probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags
