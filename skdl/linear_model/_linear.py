"""Linear regression by the normal equation, conjugate gradients, LSQR, gradient descent or SGD."""

from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_is_fitted

from .._optim import SCHEDULES, squared_loss_grad
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._dask import as_row_chunked, blockwise, check_dask_features, check_dask_sample_weight, is_dask_collection
from ..utils._fit_state import discard_state_on_error
from ..utils._validation import check_sample_weight
from ._base import FirstOrderMixin, feature_offset_spread, make_linear_loss_grad, sgd_only
from ._normal_equation import solve_normal_equation
from ._sparse_normal_equation import solve_sparse_iterative, solve_sparse_normal_equation

# When both dimensions exceed this, even the smaller Gram matrix (p x p, or n x n for the dual)
# costs more than gradient descent.
_MAX_NORMAL_EQUATION_SIZE = 10_000

# Sparse X with more features than this solves the normal equations implicitly (CG / LSQR): its
# dense p x p Gram matrix would take more than 32 MiB.
_MAX_SPARSE_GRAM_FEATURES = 2048


class LinearRegression(RegressorMixin, FirstOrderMixin, BaseEstimator):
    r"""Least-squares linear regression with an optional L2 penalty (ridge), the course's first model.

    Dense or sparse ``X`` (CSR or CSC); sparse ``X`` is never centred or densified.

    Parameters
    ----------
    alpha : float, default=0.0
        Strength of the L2 penalty :math:`\alpha\lVert\theta\rVert^2`, as scikit-learn's ``Ridge``
        (the course's :math:`\lambda`). The intercept is not penalised.
    fit_intercept : bool, default=True
        Learn an intercept :math:`\theta_0`; otherwise the model passes through the origin.
    solver : {"auto", "normal", "cg", "lsqr", "gd", "sgd"}, default="auto"
        ``"normal"`` solves the normal equation through a Cholesky factorisation, falling back to the
        minimum-norm least-squares solution when :math:`X^\top X` is singular; for sparse ``X`` the
        Gram matrix is a sparse product, centred implicitly. ``"cg"`` (Jacobi-preconditioned
        conjugate gradients on the normal equations, or on their dual with more features than
        samples and ``alpha > 0``) and ``"lsqr"`` solve them iteratively through the implicitly
        centred ``X``, in memory :math:`O(\mathrm{nnz} + n + p)`. ``"gd"`` is batch gradient
        descent and ``"sgd"`` mini-batch stochastic gradient descent (which also offers
        ``partial_fit``); both work in internally standardised coordinates and report the
        coefficients in the original units. ``"auto"`` is, for dense ``X``, ``"normal"`` (for wide
        data with ``alpha > 0``, its dual of the size of the samples) unless both the samples and
        the features number more than 10,000, where it is ``"gd"``; for sparse ``X``, ``"normal"``
        up to 2,048 features, beyond that ``"cg"`` when ``alpha > 0`` and ``"lsqr"`` otherwise.
    learning_rate : float, default=0.01
        Step size of ``"gd"`` and ``"sgd"`` (the course's :math:`\alpha`), in standardised units.
    schedule : {"constant", "inverse_time", "exponential", "step"}, default="constant"
        How the step size of ``"gd"`` and ``"sgd"`` changes with the epoch (see
        ``skdl._optim.SCHEDULES``).
    momentum : float, default=0.0
        Momentum of ``"gd"`` and ``"sgd"``; 0 is plain gradient descent.
    nesterov : bool, default=False
        Use Nesterov's momentum (when ``momentum > 0``).
    max_iter : int, default=1000
        Largest number of epochs of ``"gd"`` / ``"sgd"``, or iterations of ``"cg"`` / ``"lsqr"``.
    tol : float, default=1e-6
        The first-order solvers stop when ``n_iter_no_change`` epochs in a row lower the
        (standardised) cost by less than ``tol`` (relative to the cost when it exceeds 1); ``"cg"``
        when the residual of the normal equations is below ``tol`` times its right-hand side, and
        ``"lsqr"`` at its own relative tolerances ``atol = btol = tol``.
    n_iter_no_change : int, default=5
        Epochs without improvement after which ``"gd"`` and ``"sgd"`` stop.
    batch_size : int, default=None
        Mini-batch size of ``"sgd"`` (``None`` means 200). Ignored by the other solvers.
    verbose : int, default=0
        Print one line per epoch of ``"gd"`` / ``"sgd"`` with the loss and the elapsed time when
        positive.
    random_state : int, RandomState instance or None, default=None
        Shuffles the mini-batches of ``"sgd"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients :math:`\theta_1 \dots \theta_n`.
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept :math:`\theta_0`.
    solver_ : str
        The solver used (``"auto"`` resolved); ``"lstsq"`` when the normal equation fell back to
        the minimum-norm least-squares solution.
    n_iter_ : int
        Epochs run by ``"gd"`` / ``"sgd"`` (after ``partial_fit``, the epochs of all calls),
        iterations of ``"cg"`` / ``"lsqr"`` (the most any target took); 1 for the normal equation
        (one direct solve).
    loss_curve_ : list of float
        The cost :math:`J(\theta)` after each epoch, in the units of ``y`` (first-order solvers only).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LinearRegression : Scikit-learn's ordinary least squares.
    sklearn.linear_model.Ridge : Scikit-learn's ridge regression (same objective when ``alpha > 0``).
    LogisticRegression : The classifier, with the same first-order solvers.

    Notes
    -----
    The objective, with sample weights :math:`w_i` summing to :math:`W`, is

    .. math::

        J(\theta, \theta_0) = \frac{1}{2W}\left(\sum_i w_i (x_i^\top\theta + \theta_0 - y_i)^2
                              + \alpha \lVert\theta\rVert^2\right),

    which with unit weights is the course's cost. Its minimiser satisfies the normal equation
    :math:`(\tilde X^\top W \tilde X + \alpha I)\theta = \tilde X^\top W \tilde y` on centred data,
    and gradient descent follows :math:`\theta \leftarrow \theta - \eta \nabla J`. The first-order
    solvers work on :math:`\tilde x_j = (x_j - \mu_j) / s_j`, :math:`s_j^2 = \operatorname{Var}(x_j)
    + \alpha / W`, a change of variables applied to the parameters, never to ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.linear_model import LinearRegression
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> y = 2 * X.ravel() + 1
    >>> model = LinearRegression().fit(X, y)
    >>> float(model.coef_[0]), float(model.intercept_)
    (2.0, 1.0)
    >>> model.predict([[5.0]])
    array([11.])
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "normal", "cg", "lsqr", "gd", "sgd"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "schedule": [StrOptions(set(SCHEDULES))],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        alpha=0.0,
        *,
        fit_intercept=True,
        solver="auto",
        learning_rate=0.01,
        schedule="constant",
        momentum=0.0,
        nesterov=False,
        max_iter=1000,
        tol=1e-6,
        n_iter_no_change=5,
        batch_size=None,
        verbose=0,
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.verbose = verbose
        self.random_state = random_state

    def _resolve_solver(self, X):
        if self.solver != "auto":
            return self.solver
        if not sp.issparse(X):
            return "normal" if min(X.shape) <= _MAX_NORMAL_EQUATION_SIZE else "gd"
        if X.shape[1] <= _MAX_SPARSE_GRAM_FEATURES:
            return "normal"
        return "cg" if self.alpha > 0 else "lsqr"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} or dask array of shape (n_samples, n_features)
            Training data; sparse CSR or CSC matrices and arrays are used as they are. A dask
            array chunked by rows is fitted exactly by the normal equation, its moments reduced
            over the chunks on the workers (``solver`` ``"auto"`` or ``"normal"``).
        y : array-like or dask array of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like or dask array of shape (n_samples,), default=None
            Weight of each sample; weight k counts as the row repeated k times.

        Returns
        -------
        self : LinearRegression
            The fitted model.
        """
        if is_dask_collection(X):
            return self._fit_dask(X, y, sample_weight)
        with discard_state_on_error(self):
            # The dense normal equation's one pass over X finds NaN and inf itself (non-finite
            # moments); every other path checks X here.
            X, y = validate_data(
                self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                multi_output=True, y_numeric=True,
                ensure_all_finite=sp.issparse(X) or self.solver not in ("auto", "normal"),
            )
            y = y.astype(X.dtype, copy=False)
            self._clear_first_order_state()
            solver = self._resolve_solver(X)
            if solver in ("gd", "sgd"):
                assert_all_finite(X, input_name="X")
                self.solver_ = solver
                return self._run_first_order(X, y, sample_weight, single_epoch=False)
            weights = None if sample_weight is None else check_sample_weight(sample_weight, X, dtype=X.dtype)
            if solver in ("cg", "lsqr"):
                coef, intercept, self.n_iter_ = solve_sparse_iterative(
                    X, y, weights, self.alpha, self.fit_intercept, solver=solver, tol=self.tol, max_iter=self.max_iter
                )
                self.solver_ = solver
                self._set_coefficients(coef.astype(X.dtype, copy=False), np.asarray(intercept, dtype=X.dtype))
            elif sp.issparse(X):
                coef, intercept, used_cholesky = solve_sparse_normal_equation(X, y, weights, self.alpha, self.fit_intercept)
                self.solver_, self.n_iter_ = "normal" if used_cholesky else "lstsq", 1
                self._set_coefficients(coef.astype(X.dtype, copy=False), np.asarray(intercept, dtype=X.dtype))
            else:
                self._fit_normal_equation(X, y, weights)
            return self

    def _fit_normal_equation(self, X, y, weights):
        coef, intercept, used_cholesky = solve_normal_equation(X, y, weights, self.alpha, self.fit_intercept)
        self.solver_ = "normal" if used_cholesky else "lstsq"
        self.n_iter_ = 1
        self._set_coefficients(coef.astype(X.dtype, copy=False), np.asarray(intercept, dtype=X.dtype))

    def _fit_dask(self, X, y, sample_weight):
        """The normal equation from moments reduced over the row chunks of a dask array."""
        if self.solver not in ("auto", "normal"):
            raise ValueError(
                f"solver={self.solver!r} cannot fit a dask array in one call. Use solver='normal' "
                "(exact, one pass over the chunks), or stream the chunks through partial_fit with "
                "dask_ml.wrappers.Incremental(LinearRegression(solver='sgd'))."
            )
        check_dask_features(self, X, reset=True)
        X = as_row_chunked(X)
        if not is_dask_collection(y):
            y = validate_data(self, y=y, multi_output=True, y_numeric=True)
        if y.ndim > 2 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have shape ({X.shape[0]},) or ({X.shape[0]}, n_targets); got {y.shape}.")
        y = y.astype(X.dtype)
        weights = check_dask_sample_weight(sample_weight, X)
        self._clear_first_order_state()
        with discard_state_on_error(self):
            self._fit_normal_equation(X, y, weights)
        return self

    def _initialise_target_scaling(self, y, weights):
        """Centre and scale ``y`` too, so the cost is of order one and ``tol`` means the same."""
        y_2d = y.reshape(len(y), -1)
        self._y_offset, spread = feature_offset_spread(y_2d, weights, center=self.fit_intercept)
        # One scale for every target, their root-mean-square spread (robust to 1e300 and 1e-300).
        largest = float(spread.max())
        self._y_scale = largest * float(np.sqrt(np.mean((spread / largest) ** 2))) if largest > 0 else 1.0

    def _run_first_order(self, X, y, sample_weight, *, single_epoch):
        weights = check_sample_weight(sample_weight, X, dtype=X.dtype)
        if self.solver == "sgd" and sp.issparse(X):
            X = X.tocsr()  # mini-batches are row slices
        if not hasattr(self, "_optimizer"):
            coef_shape = (X.shape[1], y.shape[1]) if y.ndim == 2 else (X.shape[1],)
            self._initialise_first_order(X, weights, coef_shape, curvature_ridge=self.alpha / float(weights.sum()))
            self._initialise_target_scaling(y, weights)
        y_scaled = (y - (self._y_offset if y.ndim == 2 else self._y_offset[0])) / self._y_scale
        # The penalty alpha |theta|^2 / (2 W), in the units of the scaled targets; the squared
        # loss has curvature 1, so it is also the ridge of the change of variables.
        l2 = self.alpha / self._penalty_weight(weights, single_epoch)
        self._follow_the_penalty(l2)
        loss_grad = make_linear_loss_grad(
            squared_loss_grad, X, y_scaled, weights, l2, self.fit_intercept, self._x_offset, self._x_scale
        )
        n_iter = self._train_first_order(loss_grad, X.shape[0], single_epoch=single_epoch)
        self.n_iter_ = (self.n_iter_ if single_epoch else 0) + n_iter
        self.loss_curve_ = [loss * self._y_scale**2 for loss in self._history.losses]
        coef, intercept = self._model_coefficients()
        coef = coef * self._y_scale
        intercept = self._y_offset.reshape(coef.shape[1:]) + self._y_scale * intercept
        self._set_coefficients(coef, intercept)
        return self

    def _set_coefficients(self, coef, intercept):
        if coef.ndim == 2:
            self.coef_, self.intercept_ = np.ascontiguousarray(coef.T), np.asarray(intercept)
        else:
            self.coef_, self.intercept_ = coef, np.asarray(intercept)[()]

    def _check_same_targets(self, y):
        """A later ``partial_fit`` must bring as many targets, in the same shape, as the first."""
        fitted = self._params[0]
        expected = "(n_samples,)" if fitted.ndim == 1 else f"(n_samples, {fitted.shape[1]})"
        given = "(n_samples,)" if y.ndim == 1 else f"(n_samples, {y.shape[1]})"
        if expected != given:
            raise ValueError(
                f"y has shape {given} but the model was trained by partial_fit on y of shape {expected}: "
                f"{1 if y.ndim == 1 else y.shape[1]} target(s) given, "
                f"{1 if fitted.ndim == 1 else fitted.shape[1]} expected. Every partial_fit call must bring "
                "the same targets; call fit to start again with others."
            )

    @available_if(sgd_only)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of mini-batch SGD on ``(X, y)``, continuing from the current model.

        The internal standardisation is fixed by the first call, so later batches should come from
        the same distribution. The model after each call minimises the cost of all the data seen so
        far: the penalty is ``alpha`` over the total weight seen, so splitting a stream into more
        calls does not strengthen it (a second pass over the same data counts as new data). Only
        available with ``solver="sgd"``. A batch that fails validation leaves the model as it was;
        a call that fails during training (a diverging step) leaves it unfitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets, with as many targets as in the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample of the batch.

        Returns
        -------
        self : LinearRegression
            The updated model.
        """
        first_call = not hasattr(self, "_optimizer")
        with discard_state_on_error(self) if first_call else nullcontext():
            X, y = validate_data(
                self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                multi_output=True, y_numeric=True, reset=first_call,
            )
            y = y.astype(X.dtype, copy=False)
            check_sample_weight(sample_weight, X, dtype=X.dtype)
            if first_call:
                self.solver_, self.n_iter_ = "sgd", 0
            else:
                self._check_same_targets(y)
        with discard_state_on_error(self):
            return self._run_first_order(X, y, sample_weight, single_epoch=True)

    def predict(self, X):
        """Predict with the linear model, :math:`h_\\theta(x) = x^\\top\\theta + \\theta_0`.

        Parameters
        ----------
        X : {array-like, sparse matrix} or dask array of shape (n_samples, n_features)
            The samples to predict.

        Returns
        -------
        y_pred : ndarray or dask array of shape (n_samples,) or (n_samples, n_targets)
            The predictions; a dask array (computed lazily, chunk by chunk) for a dask input.
        """
        check_is_fitted(self)
        if is_dask_collection(X):
            return blockwise(self.predict, X)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags
