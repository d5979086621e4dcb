"""The linear support vector classifier for large sparse data: dual coordinate descent, one-vs-rest."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._progress import EpochPrinter
from ..utils._validation import check_classification_labels, check_sample_weight, check_two_classes
from ._dual_cd import dual_cd_solve, feature_nodes
from ._kernels import as_csr, mostly_zero


class LinearSVC(ClassifierMixin, BaseEstimator):
    r"""Linear support vector classification by dual coordinate descent, as liblinear.

    The course's SVM without a kernel, for data with many features (text): the hinge or squared
    hinge loss with an L2 penalty, solved in the dual one coordinate at a time, over the non-zeros
    of sparse data. More than two classes give one classifier per class against the rest.

    Parameters
    ----------
    C : float, default=1.0
        Weight of the losses against the penalty :math:`\tfrac12\lVert w\rVert^2`; multiplied per
        sample by ``class_weight`` and ``sample_weight``.
    loss : {"squared_hinge", "hinge"}, default="squared_hinge"
        :math:`\max(0, 1 - y w^\top x)^2` or :math:`\max(0, 1 - y w^\top x)` (the course's SVM).
    tol : float, default=1e-4
        Stop when the spread of the projected gradient of the dual is below ``tol``.
    fit_intercept : bool, default=True
        Learn an intercept, as the weight of a constant feature equal to ``intercept_scaling``.
    intercept_scaling : float, default=1.0
        That constant feature. Its weight is penalised like the others, so a larger value
        penalises the intercept less (liblinear's convention).
    class_weight : dict, "balanced" or None, default=None
        Multiplies ``C`` for the samples of each class; ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))``. With more than two classes, as in liblinear,
        the problem "class k against the rest" weights the samples of class k only.
    verbose : int, default=0
        With ``verbose > 0``, print one line per binary problem solved (its passes).
    random_state : int, RandomState instance or None, default=None
        Order in which the coordinates are visited.
    max_iter : int, default=1000
        Largest number of passes over the coordinates per binary problem.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights :math:`w`; one row for two classes (positive for ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        ``intercept_scaling`` times the weight of the constant feature (0 without intercept).
    n_iter_ : int
        The largest number of passes run over the binary problems.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    SVC : Kernel SVMs by SMO (``kernel="linear"`` solves the hinge problem too, unpenalised
        intercept).
    sklearn.svm.LinearSVC : The liblinear-based counterpart in scikit-learn (same objective).

    Notes
    -----
    The primal problem, with :math:`C_i` the per-sample ``C`` and :math:`B` the intercept scaling,
    :math:`\tilde x_i = (x_i, B)` and :math:`\tilde w = (w, b / B)`, is

    .. math::

        \min_{\tilde w}\ \tfrac12\lVert\tilde w\rVert^2 + \sum_i C_i\,\ell(y_i\tilde w^\top\tilde x_i),
        \qquad \ell(z) = \max(0, 1 - z) \text{ or } \max(0, 1 - z)^2.

    Its dual :math:`\min_\alpha \frac12\alpha^\top(Q + D)\alpha - e^\top\alpha`,
    :math:`0 \le \alpha_i \le U_i`, is minimised one coordinate at a time with
    :math:`\tilde w = \sum_i \alpha_i y_i \tilde x_i` kept up to date, so a step costs one dot
    product with :math:`x_i` (see :mod:`skdl.svm._dual_cd`). For the hinge loss :math:`D = 0`,
    :math:`U_i = C_i`; for the squared hinge :math:`D_{ii} = 1/(2C_i)`, :math:`U_i = \infty`.

    References
    ----------
    .. [1] C.-J. Hsieh, K.-W. Chang, C.-J. Lin, S. S. Keerthi and S. Sundararajan, "A dual
       coordinate descent method for large-scale linear SVM", ICML 2008.
    .. [2] R.-E. Fan, K.-W. Chang, C.-J. Hsieh, X.-R. Wang and C.-J. Lin, "LIBLINEAR: a library
       for large linear classification", JMLR 9, 2008.

    Examples
    --------
    >>> from skdl.datasets import load_spam_emails
    >>> from skdl.svm import LinearSVC
    >>> X, y = load_spam_emails(return_X_y=True)
    >>> X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
    >>> model = LinearSVC(C=0.1, loss="hinge", random_state=0).fit(X, y)
    >>> round(float(model.score(X_test, y_test)), 2)
    0.99
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "loss": [StrOptions({"hinge", "squared_hinge"})],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        C=1.0,
        *,
        loss="squared_hinge",
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1.0,
        class_weight=None,
        verbose=0,
        random_state=None,
        max_iter=1000,
    ):
        self.C = C
        self.loss = loss
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.verbose = verbose
        self.random_state = random_state
        self.max_iter = max_iter

    def _class_weights(self, y_index):
        if self.class_weight is None:
            return np.ones(len(self.classes_))
        return compute_class_weight(self.class_weight, classes=np.arange(len(self.classes_)), y=y_index)

    @staticmethod
    def _problem_bounds(C, weights, class_weights, y_index, positive_class, binary):
        """:math:`C_i` of one binary problem, with liblinear's class weights.

        Two classes: each sample's ``C`` times its class weight. One class against the rest:
        only the class's own samples carry its weight; the rest keep ``C`` (liblinear's rule).
        """
        if binary:
            return C * weights * class_weights[y_index]
        return C * weights * np.where(y_index == positive_class, class_weights[positive_class], 1.0)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model: one dual coordinate descent per class (one for two classes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels, of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies ``C`` for each sample; weight k counts as the row repeated k times.
            Samples of weight zero are left out; negative or non-finite weights are refused.

        Returns
        -------
        self : LinearSVC
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64, order="C",
                             accept_large_sparse=False)
        y = check_classification_labels(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        check_two_classes(self.classes_, "LinearSVC")
        weights = check_sample_weight(sample_weight, y_index, dtype=np.float64)
        class_weights = self._class_weights(y_index)
        kept = weights > 0
        if len(np.unique(y_index[kept])) < 2:
            raise ValueError("Invalid input - all samples with positive weights belong to the same class.")
        if not kept.all():  # a weight of zero is the sample left out
            X, y_index, weights = X[kept], y_index[kept], weights[kept]
        rows = feature_nodes(as_csr(X) if mostly_zero(X) else X)
        rng = check_random_state(self.random_state)
        binary = len(self.classes_) == 2
        progress = EpochPrinter(self.verbose, "LinearSVC", unit="class")
        solutions = []
        for k in [1] if binary else range(len(self.classes_)):
            bounds = self._problem_bounds(self.C, weights, class_weights, y_index, k, binary)
            solutions.append(self._solve(rows, X.shape[1], y_index == k, bounds, rng))
            progress.step(k, passes=solutions[-1][2])
        weights, intercepts, n_iters = zip(*solutions)
        self.coef_ = np.vstack(weights)
        self.intercept_ = np.asarray(intercepts, dtype=np.float64)
        self.n_iter_ = int(max(n_iters))
        if self.n_iter_ >= self.max_iter:
            warnings.warn(
                f"LinearSVC did not converge in max_iter={self.max_iter} passes (the dual's projected "
                f"gradient still spreads over more than tol={self.tol}); increase max_iter.",
                ConvergenceWarning,
            )
        return self

    def _solve(self, rows, n_features, positive, bounds, rng):
        y = np.where(positive, 1.0, -1.0)
        bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
        seed = int(rng.randint(np.iinfo(np.int32).max))
        w, w_bias, alpha, n_iter = dual_cd_solve(
            *rows, n_features, y, bounds, self.loss == "squared_hinge", bias, float(self.tol),
            int(self.max_iter), seed,
        )
        return w, w_bias * bias, n_iter

    def decision_function(self, X):
        """Return the scores :math:`w^\\top x + b`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]`` (positive means that class).
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=False)
        scores = safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict the class of each sample: the one of highest score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The predicted class of each sample, from ``classes_``.
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
