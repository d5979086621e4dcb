"""Support vector classification: the course's large-margin classifier with kernels, solved by SMO."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, StrOptions, _fit_context, _safe_indexing, validate_data
from ..utils._progress import EpochPrinter
from ..utils._validation import check_classification_labels, check_sample_weight
from ._kernel_rows import TrainingKernel
from ._kernels import kernel_matrix, kernel_times, resolve_gamma
from ._ovo import class_pairs, libsvm_layout, ovr_scores, pair_problem, vote
from ._platt import couple, cross_validated_decision, fit_sigmoid, pairwise_probability
from ._smo import smo_solve


def _probability_enabled(estimator):
    if not estimator.probability:
        raise AttributeError("predict_proba is not available when probability=False.")
    return True


class SVC(ClassifierMixin, BaseEstimator):
    r"""C-support vector classification with kernels: SMO on the dual, as libsvm.

    The course's support vector machine, with scikit-learn's parameters and fitted attributes.
    Two classes give one large-margin classifier; more classes one per pair (one-vs-one).

    Parameters
    ----------
    C : float, default=1.0
        Weight of the hinge losses against the margin, as the course's ``C`` (the inverse of the
        regularisation strength). Multiplied per sample by ``class_weight`` and ``sample_weight``.
    kernel : {"linear", "poly", "rbf", "sigmoid", "precomputed"} or callable, default="rbf"
        The kernel :math:`K(x, z)`. The course's Gaussian kernel with bandwidth :math:`\sigma` is
        ``"rbf"`` with ``gamma = 1 / (2 * sigma**2)`` (see :func:`gaussian_kernel`).
        ``"precomputed"`` takes the Gram matrix as ``X`` (n_samples x n_samples at fit,
        n_test x n_samples at predict); a callable ``kernel(X, Z)`` returns one.
    degree : int, default=3
        Degree :math:`d` of the ``"poly"`` kernel.
    gamma : {"scale", "auto"} or float, default="scale"
        :math:`\gamma` of ``"rbf"``, ``"poly"`` and ``"sigmoid"``: ``"scale"`` is
        ``1 / (n_features * X.var())``, ``"auto"`` ``1 / n_features``.
    coef0 : float, default=0.0
        The constant :math:`r` of ``"poly"`` and ``"sigmoid"``.
    shrinking : bool, default=True
        Set aside, while solving, the variables that the gradient keeps at a bound.
    probability : bool, default=False
        Also fit Platt's sigmoid on five-fold cross-validated decision values, for
        ``predict_proba`` (five more fits per pair of classes).
    tol : float, default=1e-3
        Stop when the maximal violation of the KKT conditions is below ``tol`` (libsvm's ``eps``).
    cache_size : float, default=200
        Megabytes of kernel rows kept between iterations (least recently used ones go first).
    class_weight : dict, "balanced" or None, default=None
        Multiplies ``C`` for the samples of each class; ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))``.
    verbose : int, default=0
        With ``verbose > 0``, print one line per binary problem solved (its dual objective,
        iterations, :math:`\rho`, support vectors and how many are at the bound C).
    max_iter : int, default=-1
        Largest number of SMO iterations per binary problem; -1 for no limit.
    decision_function_shape : {"ovr", "ovo"}, default="ovr"
        ``decision_function`` returns the pairwise values (``"ovo"``, n_samples x n_pairs) or one
        score per class (``"ovr"``) built from them; ``predict`` always votes over the pairs.
    break_ties : bool, default=False
        With ``"ovr"`` and more than two classes, predict the class of highest ``decision_function``
        instead of the pairwise vote, which breaks ties by the confidences.
    random_state : int, RandomState instance or None, default=None
        Shuffles the cross-validation folds of ``probability=True``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    support_ : ndarray of shape (n_SV,), dtype int32
        Indices of the support vectors in the training data, class by class.
    support_vectors_ : ndarray or sparse matrix of shape (n_SV, n_features)
        The support vectors (empty for a precomputed or callable kernel); sparse when fitted on
        sparse data.
    n_support_ : ndarray of shape (n_classes,), dtype int32
        Number of support vectors of each class.
    dual_coef_ : ndarray of shape (n_classes - 1, n_SV)
        :math:`\alpha_s y_s` of each support vector in the classifiers it belongs to, laid out as
        libsvm's (see Notes); sparse when fitted on sparse data.
    intercept_ : ndarray of shape (n_classes * (n_classes - 1) / 2,)
        The intercept :math:`b = -\rho` of each pairwise classifier.
    coef_ : ndarray of shape (n_classes * (n_classes - 1) / 2, n_features)
        Primal weights :math:`w = \sum_s \alpha_s y_s x_s` of each classifier (linear kernel only).
    probA_, probB_ : ndarray of shape (n_classes * (n_classes - 1) / 2,)
        Platt's :math:`A` and :math:`B` per pair (empty unless ``probability=True``).
    class_weight_ : ndarray of shape (n_classes,)
        The multiplier of ``C`` for each class.
    fit_status_ : int
        0 when every binary problem converged, 1 when one stopped at ``max_iter``.
    n_iter_ : ndarray of shape (n_classes * (n_classes - 1) / 2,)
        SMO iterations of each binary problem.
    shape_fit_ : tuple of int
        Shape of the training ``X``.
    n_features_in_ : int
        Number of features seen during ``fit`` (not set for a callable kernel).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    LinearSVC : The linear kernel for large sparse data, by dual coordinate descent.
    gaussian_kernel : The course's Gaussian kernel.
    sklearn.svm.SVC : The libsvm-based counterpart in scikit-learn (same problem, same answers).

    Notes
    -----
    With labels :math:`y_s \in \{-1, +1\}` and per-sample bounds :math:`C_s` (``C`` times the class
    and sample weights), the primal problem

    .. math::

        \min_{w, b}\ \tfrac12\lVert w\rVert^2 + \sum_s C_s \max(0, 1 - y_s(w^\top\phi(x_s) + b))

    is the course's cost :math:`C\sum \text{cost}(\theta^\top f) + \frac12\sum\theta_j^2`. It is
    solved in the dual,

    .. math::

        \min_\alpha\ \tfrac12\alpha^\top Q\alpha - e^\top\alpha
        \quad\text{s.t.}\quad y^\top\alpha = 0,\ 0 \le \alpha_s \le C_s,\qquad
        Q_{st} = y_s y_t K(x_s, x_t),

    by sequential minimal optimisation: at each step the pair :math:`(i, j)` of libsvm's
    second-order working-set selection (Fan, Chen and Lin, 2005),

    .. math::

        i = \arg\max_{t \in I_{up}} -y_t\nabla_t f, \qquad
        j = \arg\min_{t \in I_{low},\, -y_t\nabla_t f < -y_i\nabla_i f}
            -\frac{(y_t\nabla_t f - y_i\nabla_i f)^2}{K_{ii} + K_{tt} - 2K_{it}},

    moves to the minimum of the objective along :math:`y_i\alpha_i + y_j\alpha_j = \text{const}`,
    clipped to the box, and the gradient is updated with two kernel rows. It stops when
    :math:`\max_{I_{up}} -y_t\nabla_t f - \min_{I_{low}} -y_t\nabla_t f < \text{tol}`. Shrinking,
    the LRU cache of kernel rows (single precision, as libsvm's) and the intercept rule are
    described in :mod:`skdl.svm._smo`. The decision value is
    :math:`f(x) = \sum_s \alpha_s y_s K(x_s, x) + b`; for two classes its sign is flipped so that
    a positive value means ``classes_[1]``, as in scikit-learn.

    The same rules, the same sample order (classes grouped in data order) and the same tie-breaking
    as libsvm give the same support vectors and the same decision values to the solver's tolerance.
    The loop over the working set is compiled with numba; the kernel rows are computed on demand,
    over the non-zeros only for sparse or mostly-zero data; predictions use BLAS products with the
    support vectors (one product with the primal weights for the linear kernel).

    For ``dual_coef_``, the coefficient of a class-:math:`i` support vector in classifier
    :math:`(i, j)` is in row :math:`j - 1`, that of a class-:math:`j` vector in row :math:`i`.

    References
    ----------
    .. [1] C.-C. Chang and C.-J. Lin, "LIBSVM: a library for support vector machines",
       ACM Transactions on Intelligent Systems and Technology 2(3), 2011.
    .. [2] R.-E. Fan, P.-H. Chen and C.-J. Lin, "Working set selection using second order
       information for training support vector machines", JMLR 6, 2005.
    .. [3] J. Platt, "Fast training of support vector machines using sequential minimal
       optimization", in Advances in Kernel Methods, 1998.

    Examples
    --------
    The course's exercise 6: the Gaussian kernel with :math:`C = 1`, :math:`\sigma = 0.1` on the
    second data set.

    >>> from skdl.datasets import load_svm_points
    >>> from skdl.svm import SVC
    >>> X, y = load_svm_points(2, return_X_y=True)
    >>> sigma = 0.1
    >>> model = SVC(C=1.0, kernel="rbf", gamma=1 / (2 * sigma**2)).fit(X, y)
    >>> model.n_support_.tolist()
    [92, 93]
    >>> round(float(model.score(X, y)), 3)
    0.99
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "kernel": [StrOptions({"linear", "poly", "rbf", "sigmoid", "precomputed"}), callable],
        "degree": [Interval(Integral, 0, None, closed="left")],
        "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0.0, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "shrinking": ["boolean"],
        "probability": ["boolean"],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cache_size": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "verbose": ["verbose"],
        "max_iter": [Interval(Integral, -1, None, closed="left")],
        "decision_function_shape": [StrOptions({"ovr", "ovo"})],
        "break_ties": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        C=1.0,
        *,
        kernel="rbf",
        degree=3,
        gamma="scale",
        coef0=0.0,
        shrinking=True,
        probability=False,
        tol=1e-3,
        cache_size=200,
        class_weight=None,
        verbose=0,
        max_iter=-1,
        decision_function_shape="ovr",
        break_ties=False,
        random_state=None,
    ):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.shrinking = shrinking
        self.probability = probability
        self.tol = tol
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.verbose = verbose
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties
        self.random_state = random_state

    # --- fit ---------------------------------------------------------------------------------

    def _validate_training_data(self, X, y):
        if callable(self.kernel):
            check_consistent_length(X, y)
            return X, np.asarray(y)
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", accept_sparse="csr", accept_large_sparse=False
        )
        if self.kernel == "precomputed":
            if sp.issparse(X):
                raise TypeError("A precomputed kernel must be a dense Gram matrix, not a sparse one.")
            if X.shape[0] != X.shape[1]:
                raise ValueError(
                    f"A precomputed kernel must be a square Gram matrix; got X of shape {X.shape}."
                )
        return X, y

    def _training_kernel(self, X, gamma):
        if callable(self.kernel):
            return TrainingKernel(gram=kernel_matrix(X, X, self.kernel, gamma=0, coef0=0, degree=0))
        if self.kernel == "precomputed":
            return TrainingKernel(gram=np.array(X, dtype=np.float64))
        return TrainingKernel(X, self.kernel, gamma=gamma, coef0=self.coef0, degree=self.degree)

    def _sample_bounds(self, y_index, n_classes, sample_weight):
        """:math:`C_s` (``C`` times the class weight and the sample weight) and the class weights."""
        weights = check_sample_weight(sample_weight, y_index, dtype=np.float64)
        class_weight = np.ones(n_classes)
        if self.class_weight is not None:
            class_weight = compute_class_weight(self.class_weight, classes=np.arange(n_classes), y=y_index)
        bounds = self.C * class_weight[y_index] * weights
        if not np.any(bounds > 0):
            raise ValueError("Invalid input - all samples have zero weight; at least one must be positive.")
        if np.count_nonzero(np.bincount(y_index[bounds > 0], minlength=n_classes)) < 2:
            raise ValueError("Invalid input - all samples with positive weights belong to the same class.")
        return bounds, class_weight.astype(np.float64)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the SVM: one SMO solve per pair of classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or (n_samples, n_samples)
            Training data; the Gram matrix for ``kernel="precomputed"``.
        y : array-like of shape (n_samples,)
            Class labels, of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies ``C`` for each sample; samples of weight zero are left out. Negative or
            non-finite weights are refused.

        Returns
        -------
        self : SVC
            The fitted estimator.
        """
        X, y = self._validate_training_data(X, y)
        classes, y_index = np.unique(check_classification_labels(y), return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"The number of classes has to be greater than one; got {len(classes)} class.")
        bounds, class_weight = self._sample_bounds(y_index, len(classes), sample_weight)
        # Only these kernels have a gamma ("scale" reads the variance of X, 2% of a spam fit).
        uses_gamma = self.kernel in ("rbf", "poly", "sigmoid")
        gamma = resolve_gamma(self.gamma, X) if uses_gamma else 0.0
        kernel = self._training_kernel(X, gamma)
        rng = check_random_state(self.random_state)
        progress = EpochPrinter(self.verbose, "SVC", unit="classes")
        results = [self._fit_pair(kernel, y_index, bounds, i, j, rng, progress) for i, j in class_pairs(len(classes))]
        self.classes_, self.class_weight_, self._gamma, self._sparse = classes, class_weight, gamma, sp.issparse(X)
        self.shape_fit_ = X.shape if hasattr(X, "shape") else (len(y_index),)
        self._store_model(X, y_index, results)
        return self

    def _solve(self, kernel, rows, y, bounds):
        """SMO on one binary sub-problem: ``(alpha, rho, objective, n_iter, stopped_early)``."""
        solver_kernel, cache, QD = kernel.solver_inputs(rows, y, self.cache_size)
        return smo_solve(solver_kernel, cache, rows, y, bounds, QD, float(self.tol), int(self.max_iter),
                         bool(self.shrinking))

    def _fit_pair(self, kernel, y_index, bounds, i, j, rng, progress):
        """Solve the binary problem of classes ``i`` (+1) and ``j`` (-1); weight-0 samples left out."""
        rows, y = pair_problem(np.where(bounds > 0, y_index, -1), i, j)
        probability = (0.0, 0.0)
        if self.probability:
            probability = self._fit_platt(kernel, rows, y, bounds[rows], rng)
        alpha, rho, objective, n_iter, stopped_early = self._solve(kernel, rows, y, bounds[rows])
        if stopped_early:
            warnings.warn(
                f"Solver terminated early (max_iter={self.max_iter}). Consider pre-processing your "
                "data with StandardScaler or MinMaxScaler.",
                ConvergenceWarning,
            )
        progress.step(f"{i} vs {j}", loss=objective, iterations=n_iter, rho=rho,
                      support_vectors=int(np.sum(alpha > 0)), at_C=int(np.sum(alpha >= bounds[rows])))
        return rows, alpha, rho, n_iter, stopped_early, probability

    def _fit_platt(self, kernel, rows, y, bounds, rng):
        def solve(sub_rows, sub_y, sub_bounds):
            alpha, rho, _, _, _ = self._solve(kernel, sub_rows, sub_y, sub_bounds)
            return alpha, rho

        def decide(test_rows, support_rows, coef, rho):
            return kernel.between(test_rows, support_rows) @ coef - rho

        decision = cross_validated_decision(solve, decide, rows, y, bounds, rng)
        return fit_sigmoid(decision, y)

    def _store_model(self, X, y_index, results):
        pair_rows, alphas, rhos, n_iters, early, probabilities = zip(*results)
        support, n_support, dual_coef, pair_coef = libsvm_layout(alphas, pair_rows, y_index, len(self.classes_))
        self.support_, self.n_support_ = support, n_support
        self._pair_coef = pair_coef
        self._pair_intercept = -np.asarray(rhos, dtype=np.float64)
        self.n_iter_ = np.asarray(n_iters, dtype=np.int32)
        self.fit_status_ = int(any(early))
        if self.probability:
            self.probA_, self.probB_ = (np.asarray(values, dtype=np.float64) for values in zip(*probabilities))
        else:
            self.probA_, self.probB_ = np.empty(0), np.empty(0)
        binary = len(self.classes_) == 2
        # scikit-learn flips the binary classifier so that a positive value means classes_[1].
        dual_coef = -dual_coef if binary else dual_coef
        self.intercept_ = -self._pair_intercept if binary else self._pair_intercept.copy()
        if callable(self.kernel) or self.kernel == "precomputed":
            self.support_vectors_ = np.empty((0, 0))
            if callable(self.kernel):
                self._support_X = _safe_indexing(X, support)
        else:
            self.support_vectors_ = X[support]
        self.dual_coef_ = sp.csr_matrix(dual_coef) if self._sparse else dual_coef
        if self.kernel == "linear":
            self._pair_weights = np.asarray(safe_sparse_dot(pair_coef, self.support_vectors_, dense_output=True))

    # --- predict -----------------------------------------------------------------------------

    def _validate_test_data(self, X):
        check_is_fitted(self)
        if callable(self.kernel):
            return X
        X = validate_data(self, X, dtype=np.float64, order="C", accept_sparse="csr",
                          accept_large_sparse=False, reset=False)
        if self.kernel == "precomputed":
            if sp.issparse(X):
                raise TypeError("A precomputed kernel must be a dense matrix, not a sparse one.")
            if X.shape[1] != self.shape_fit_[0]:
                raise ValueError(
                    f"X.shape[1] = {X.shape[1]} should be equal to {self.shape_fit_[0]}, the number of "
                    "samples at training time."
                )
        return X

    def _pairwise_decision(self, X):
        """Decision values of every pair, positive for its first class: shape (n_samples, n_pairs)."""
        X = self._validate_test_data(X)
        if self.kernel == "linear":
            scores = safe_sparse_dot(X, self._pair_weights.T, dense_output=True)
        elif self.kernel == "precomputed":
            scores = X[:, self.support_] @ self._pair_coef.T
        elif callable(self.kernel):
            scores = kernel_matrix(X, self._support_X, self.kernel, gamma=0, coef0=0, degree=0) @ self._pair_coef.T
        else:
            scores = kernel_times(X, self.support_vectors_, self._pair_coef, self.kernel,
                                  gamma=self._gamma, coef0=self.coef0, degree=self.degree)
        return np.asarray(scores) + self._pair_intercept

    def decision_function(self, X):
        """Return the decision values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples; for ``kernel="precomputed"``, their kernel values with the training samples,
            shape (n_samples, n_training_samples).

        Returns
        -------
        scores : ndarray of shape (n_samples,), (n_samples, n_classes) or (n_samples, n_pairs)
            Two classes: one value, positive for ``classes_[1]``. More: one score per class
            (``"ovr"``) or the pairwise values, positive for the first class of the pair (``"ovo"``).
        """
        decision = self._pairwise_decision(X)
        if len(self.classes_) == 2:
            return -decision[:, 0]
        if self.decision_function_shape == "ovr":
            return ovr_scores(decision, len(self.classes_))
        return decision

    def predict(self, X):
        """Predict the class of each sample by the pairwise vote.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The predicted class of each sample, from ``classes_``.
        """
        check_is_fitted(self)
        if self.break_ties and self.decision_function_shape == "ovo":
            raise ValueError("break_ties must be False when decision_function_shape is 'ovo'.")
        n_classes = len(self.classes_)
        if self.break_ties and self.decision_function_shape == "ovr" and n_classes > 2:
            return self.classes_[np.argmax(self.decision_function(X), axis=1)]
        return self.classes_[vote(self._pairwise_decision(X), n_classes)]

    @available_if(_probability_enabled)
    def predict_proba(self, X):
        """Return the class probabilities (Platt scaling, coupled over the pairs).

        They come from a sigmoid fitted on cross-validated decision values, so their argmax may
        differ from ``predict`` for a few samples near the boundary.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        if self.probA_.size == 0:
            raise NotFittedError("predict_proba is not available: the model was fitted with probability=False.")
        r = pairwise_probability(self._pairwise_decision(X), self.probA_, self.probB_)
        return couple(r, len(self.classes_))

    @available_if(_probability_enabled)
    def predict_log_proba(self, X):
        """Return the log of ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        return np.log(self.predict_proba(X))

    @property
    def coef_(self):
        """Primal weights of each pairwise classifier, ``(n_pairs, n_features)``; linear kernel only."""
        if self.kernel != "linear":
            raise AttributeError("coef_ is only available when using a linear kernel.")
        check_is_fitted(self)
        coef = -self._pair_weights if len(self.classes_) == 2 else self._pair_weights.copy()
        coef = sp.csr_matrix(coef) if self._sparse else coef
        return coef

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.kernel == "precomputed"
        tags.input_tags.sparse = self.kernel != "precomputed"
        return tags
