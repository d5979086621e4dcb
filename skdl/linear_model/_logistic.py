"""Logistic regression: binary, multinomial (softmax) and one-vs-rest, dense or sparse."""

from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._optim import SCHEDULES, binary_logistic_loss_grad, minimize_scipy, multinomial_loss_grad
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._fit_state import discard_state_on_error
from ..utils._progress import EpochPrinter
from ..utils._threads import single_threaded_blas
from ..utils._validation import (
    check_classification_labels, check_sample_weight, check_two_classes, class_indices,
)
from ._base import (
    FirstOrderMixin,
    feature_offset_scale,
    make_linear_loss_grad,
    sgd_only,
    to_solver_coordinates,
)

# The curvature of the logistic loss is p(1 - p) <= 1/4: the penalty over it is the ridge added to
# each feature's variance by the change of variables (see ``_base``).
_LOGISTIC_CURVATURE = 0.25


def _encode_targets(y_index, n_classes, problem, dtype):
    """``y`` as the loss expects it: 0/1 for ``"binary"``, one-hot (n, K) otherwise."""
    if problem == "binary":
        return y_index.astype(dtype)
    return np.eye(n_classes, dtype=dtype)[y_index]


def _loss_for(problem):
    return multinomial_loss_grad if problem == "multinomial" else binary_logistic_loss_grad


def _minimize_in_standardised_coordinates(loss_grad, X, Y, sample_weight, l2, fit_intercept, start, *,
                                          method, max_iter, tol, progress):
    """L-BFGS or CG on the flat vector ``[theta_tilde, b_tilde]`` of the standardised problem.

    ``start`` is the model's ``(coef, intercept)`` to start from, or None for zeros. Returns the
    model's ``coef`` (p,) or (p, K), ``intercept`` and the number of iterations.
    """
    coef_shape = (X.shape[1],) if Y.ndim == 1 else (X.shape[1], Y.shape[1])
    offset, scale = feature_offset_scale(
        X, sample_weight, center=fit_intercept, curvature_ridge=l2 / _LOGISTIC_CURVATURE
    )
    offset, scale = offset.astype(np.float64), scale.astype(np.float64)
    batch_loss_grad = make_linear_loss_grad(loss_grad, X, Y, sample_weight, l2, fit_intercept, offset, scale)
    n_coef = int(np.prod(coef_shape))

    def unflatten(theta):
        params = [theta[:n_coef].reshape(coef_shape)]
        return params + [theta[n_coef:].reshape(coef_shape[1:])] if fit_intercept else params

    def fun_grad(theta):
        loss, grads = batch_loss_grad(unflatten(theta), slice(None))
        return loss, np.concatenate([np.ravel(g) for g in grads])

    if start is None:
        theta0 = np.zeros(n_coef + (int(np.prod(coef_shape[1:])) if fit_intercept else 0))
    else:
        params = to_solver_coordinates(*start, offset, scale, fit_intercept)
        theta0 = np.concatenate([np.ravel(p) for p in params]).astype(np.float64)
    theta, n_iter = minimize_scipy(
        fun_grad, theta0, method=method, max_iter=max_iter, tol=tol, estimator_name="LogisticRegression",
        callback=(lambda i, loss: progress.step(i, loss=loss)) if progress else None,
    )
    coef = theta[:n_coef].reshape(coef_shape) / (scale[:, None] if len(coef_shape) == 2 else scale)
    intercept = theta[n_coef:].reshape(coef_shape[1:]) - offset @ coef if fit_intercept else np.zeros(coef_shape[1:])
    return coef, intercept, n_iter


def fit_logistic_scipy(X, Y, sample_weight, l2, problem, fit_intercept, *, method, max_iter, tol,
                       start=None, verbose=0):
    """Minimise the logistic objective with L-BFGS or CG, in standardised coordinates.

    ``"binary"`` and ``"multinomial"`` are one minimisation; ``"ovr"`` one per class (the problems
    are independent), as scikit-learn does. Returns ``coef`` (p,) or (p, K), ``intercept`` and the
    iterations of each minimisation, an array of shape (1,) or (K,) for ``"ovr"``.
    """
    n_outputs = 1 if Y.ndim == 1 else Y.shape[1]
    # Each iteration is two thin products (n x p by p x K); below about 2**26 multiply-adds a
    # multithreaded BLAS spends more on waking its threads than it saves (2-3x slower measured).
    thin = sp.issparse(X) or X.shape[0] * X.shape[1] * n_outputs < 2**26
    progress = EpochPrinter(verbose, "LogisticRegression", unit="iteration")
    options = dict(method=method, max_iter=max_iter, tol=tol, progress=progress)
    with single_threaded_blas() if thin else nullcontext():
        if problem != "ovr":
            coef, intercept, n_iter = _minimize_in_standardised_coordinates(
                _loss_for(problem), X, Y, sample_weight, l2, fit_intercept, start, **options
            )
            return coef, intercept, np.array([n_iter], dtype=np.int32)
        fits = [
            _minimize_in_standardised_coordinates(
                binary_logistic_loss_grad, X, np.ascontiguousarray(Y[:, k]), sample_weight, l2, fit_intercept,
                None if start is None else (start[0][:, k], start[1][k]), **options,
            )
            for k in range(n_outputs)
        ]
    coef = np.column_stack([fit[0] for fit in fits])
    intercept = np.array([fit[1] for fit in fits])
    return coef, intercept, np.array([fit[2] for fit in fits], dtype=np.int32)


class LogisticRegression(ClassifierMixin, FirstOrderMixin, BaseEstimator):
    r"""Logistic regression with an L2 penalty: the course's classifier, binary or multiclass.

    Dense or sparse ``X`` (CSR or CSC), never densified.

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
        mini-batch stochastic gradient descent (which also offers ``partial_fit``). All four work
        in internally standardised coordinates (see Notes).
    learning_rate : float, default=0.1
        Step size of ``"gd"`` and ``"sgd"``, in standardised units.
    schedule : {"constant", "inverse_time", "exponential", "step"}, default="constant"
        How the step size of ``"gd"`` and ``"sgd"`` changes with the epoch (see
        ``skdl._optim.SCHEDULES``).
    momentum : float, default=0.0
        Momentum of ``"gd"`` and ``"sgd"``; 0 is plain gradient descent.
    nesterov : bool, default=False
        Use Nesterov's momentum (when ``momentum > 0``).
    max_iter : int, default=1000
        Largest number of iterations (``"lbfgs"``, ``"cg"``) or epochs (``"gd"``, ``"sgd"``).
    tol : float, default=1e-6
        ``"lbfgs"``/``"cg"`` stop when the gradient in standardised coordinates is below ``tol``;
        ``"gd"``/``"sgd"`` when ``n_iter_no_change`` epochs in a row lower the cost by less than
        ``tol``.
    n_iter_no_change : int, default=5
        Epochs without improvement after which ``"gd"`` and ``"sgd"`` stop.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying the sample weights of each class; ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))``.
    batch_size : int, default=None
        Mini-batch size of ``"sgd"`` (``None`` means 200).
    warm_start : bool, default=False
        Start ``fit`` from the coefficients of the previous fit (when it had the same classes and
        features), as scikit-learn does; otherwise from zeros.
    verbose : int, default=0
        Print one line per iteration or epoch with the loss and the elapsed time when positive.
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
    n_iter_ : ndarray of shape (1,) or (n_classes,)
        Iterations or epochs run; one per class for one-vs-rest, as in scikit-learn. After
        ``partial_fit``, the epochs of all calls.
    loss_curve_ : list of float
        The cost per epoch (``"gd"`` and ``"sgd"`` only).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : Scikit-learn's counterpart (same objective).
    LinearRegression : The least-squares model, with the same solvers.

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

    Every solver works on :math:`\tilde x_j = (x_j - \mu_j) / s_j` with
    :math:`s_j^2 = \operatorname{Var}(x_j) + 4/(CW)` (the variance plus the penalty over the loss's
    largest curvature, 1/4), a change of variables applied to the parameters, never to ``X``: the
    minimiser is the same, but a gradient tolerance means the same for every feature (unscaled,
    uncentred features such as exam marks of 30-100 otherwise leave the conjugate-gradient solver
    short of the minimum at ``tol=1e-6``).

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
        "schedule": [StrOptions(set(SCHEDULES))],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
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
        schedule="constant",
        momentum=0.0,
        nesterov=False,
        max_iter=1000,
        tol=1e-6,
        n_iter_no_change=5,
        class_weight=None,
        batch_size=None,
        warm_start=False,
        verbose=0,
        random_state=None,
    ):
        self.C = C
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.multi_class = multi_class
        self.solver = solver
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.batch_size = batch_size
        self.warm_start = warm_start
        self.verbose = verbose
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
        return class_indices(check_classification_labels(y), self.classes_)

    def _warm_start_coefficients(self, classes, n_features):
        """The previous fit's ``(coef (p,) or (p, K), intercept)`` when ``warm_start`` can use them."""
        if not (self.warm_start and hasattr(self, "coef_") and hasattr(self, "classes_")):
            return None
        if not (np.array_equal(self.classes_, classes) and self.coef_.shape[1] == n_features):
            return None
        coef, intercept = self.coef_.T, self.intercept_
        return (coef[:, 0], intercept[0]) if coef.shape[1] == 1 else (coef, intercept)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; sparse CSR or CSC matrices and arrays are used as they are.
        y : array-like of shape (n_samples,)
            Class labels, of any type (integers in an object array included).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample; weight k counts as the row repeated k times.

        Returns
        -------
        self : LogisticRegression
            The fitted model.
        """
        with discard_state_on_error(self):
            X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32])
            y = check_classification_labels(y)
            classes = np.unique(y)
            check_two_classes(classes, "LogisticRegression")
            start = self._warm_start_coefficients(classes, X.shape[1])
            self._clear_first_order_state()
            self.classes_ = classes
            y_index = np.searchsorted(self.classes_, y)
            weights = self._weights(X, y_index, sample_weight)
            if self.solver in ("gd", "sgd"):
                Y = _encode_targets(y_index, len(self.classes_), self._problem(), X.dtype)
                return self._run_first_order(X, Y, weights, single_epoch=False, start=start)
            Y = _encode_targets(y_index, len(self.classes_), self._problem(), np.float64)
            coef, intercept, self.n_iter_ = fit_logistic_scipy(
                X, Y, weights, self._l2(weights.sum()), self._problem(), self.fit_intercept,
                method=self.solver, max_iter=self.max_iter, tol=self.tol, start=start, verbose=self.verbose,
            )
            self._set_coefficients(coef, intercept, X.dtype)
            return self

    def _run_first_order(self, X, Y, weights, *, single_epoch, start=None):
        if self.solver == "sgd" and sp.issparse(X):
            X = X.tocsr()  # mini-batches are row slices
        if not hasattr(self, "_optimizer"):
            coef_shape = (X.shape[1],) if self._problem() == "binary" else (X.shape[1], len(self.classes_))
            self._initialise_first_order(
                X, weights, coef_shape,
                curvature_ridge=self._l2(weights.sum()) / _LOGISTIC_CURVATURE, start=start,
            )
        l2 = self._l2(self._penalty_weight(weights, single_epoch))
        self._follow_the_penalty(l2 / _LOGISTIC_CURVATURE)
        loss_grad = make_linear_loss_grad(
            _loss_for(self._problem()), X, Y, weights, l2, self.fit_intercept, self._x_offset, self._x_scale
        )
        n_iter = self._train_first_order(loss_grad, X.shape[0], single_epoch=single_epoch)
        n_models = len(self.classes_) if self._problem() == "ovr" else 1
        previous = self.n_iter_ if single_epoch and self.n_iter_ is not None else 0
        self.n_iter_ = np.full(n_models, previous + n_iter, dtype=np.int32)
        self.loss_curve_ = list(self._history.losses)
        coef, intercept = self._model_coefficients()
        self._set_coefficients(coef, intercept, X.dtype)
        return self

    def _set_coefficients(self, coef, intercept, dtype):
        self.coef_ = np.ascontiguousarray(np.atleast_2d(coef.T), dtype=dtype)
        self.intercept_ = np.atleast_1d(np.asarray(intercept, dtype=dtype)).copy()

    def _check_partial_fit_classes(self, classes, first_call):
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
        if first_call:
            classes = np.unique(check_classification_labels(np.asarray(classes)))
            if len(classes) < 2:
                raise ValueError(f"classes must hold at least 2 classes, got {classes.tolist()}.")
        return classes

    @available_if(sgd_only)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of mini-batch SGD on ``(X, y)``, continuing from the current model.

        Only available with ``solver="sgd"``. The internal standardisation is fixed by the first
        call. The model after each call minimises the cost of all the data seen so far: the penalty
        is divided by the total weight seen, so splitting a stream into more calls does not
        strengthen it (a second pass over the same data counts as new data). A batch that fails
        validation leaves the model as it was; a call that fails during training (a diverging
        step) leaves it unfitted rather than half-updated.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,)
            Its class labels, all in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call; if given later it must
            be the same.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample of the batch.

        Returns
        -------
        self : LogisticRegression
            The updated model.
        """
        first_call = not hasattr(self, "_optimizer")
        with discard_state_on_error(self) if first_call else nullcontext():
            classes = self._check_partial_fit_classes(classes, first_call)
            X, y = validate_data(
                self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=first_call
            )
            if first_call:
                self.classes_, self.n_iter_ = classes, None
            y_index = self._validate_targets(y)
            weights = self._weights(X, y_index, sample_weight)
        with discard_state_on_error(self):
            Y = _encode_targets(y_index, len(self.classes_), self._problem(), X.dtype)
            return self._run_first_order(X, Y, weights, single_epoch=True)

    def decision_function(self, X):
        """Return the linear scores :math:`x^\\top\\Theta + \\theta_0`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]`` (positive means that class).
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_log_proba(self, X):
        """Return the log of the class probabilities, computed stably.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.input_tags.sparse = True
        return tags
