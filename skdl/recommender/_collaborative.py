"""Collaborative filtering by low-rank matrix factorisation: the course's recommender, at scale."""

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._optim import LossHistory, minimize_scipy
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._validation import check_sample_weight
from ..utils._threads import single_threaded_blas
from ._als import als_half_step, pair_dot
from ._cost import cofi_cost, flat_cost_grad, pack, predict_pairs, unpack
from ._ratings import RatingData

_INIT_SCALE = 0.1


class CollaborativeFilter(RegressorMixin, BaseEstimator):
    r"""Low-rank matrix factorisation with biases: the course's recommender system.

    Each row of ``X`` is one rating: the user's id and the item's id, any hashable values (ints,
    strings; a two-column DataFrame works too); ``y`` holds the ratings. The ratings are kept
    sparse (unique (user, item) pairs indexed by user and by item, as CSR matrices); no dense
    users x items matrix is ever built.

    Parameters
    ----------
    n_factors : int, default=10
        Number of latent factors :math:`k` per user and per item (the course's ``num_features``).
    alpha : float, default=12.0
        Strength :math:`\lambda > 0` of the L2 penalty on factors and biases (the course's
        ``lambda``). It multiplies a sum over users and items, so it does not scale with the
        number of ratings. The default was chosen by 5-fold cross-validation on MovieLens-100k.
    solver : {"als", "lbfgs", "cg"}, default="als"
        ``"als"`` alternates exact ridge solves of all users' and all items' parameters
        (alternating least squares). ``"lbfgs"`` and ``"cg"`` are the course's method: the full
        cost :math:`J` and its analytic gradient minimised by ``scipy.optimize`` (L-BFGS-B or
        conjugate gradient). All three minimise the same :math:`J`.
    max_iter : int, default=50
        Largest number of ALS sweeps (one sweep solves users then items; about 8 reach the default
        ``tol`` on MovieLens) or of L-BFGS / CG iterations (those need a few hundred).
    tol : float, default=1e-3
        ALS stops when a sweep lowers :math:`J` by less than ``tol`` times :math:`J`; L-BFGS and CG
        stop when the gradient's (projected) norm is below ``tol``.
    biases : bool, default=True
        Learn a bias per user :math:`b_u` and per item :math:`c_i` beside the global mean
        :math:`\mu`. With ``False`` the model is :math:`\mu + \theta_u^\top x_i`.
    random_state : int, RandomState instance or None, default=None
        Draws the initial factors.

    Attributes
    ----------
    users_ : ndarray of shape (n_users,)
        The user ids seen in training (sorted when they can be); row ``j`` of ``user_factors_``
        belongs to ``users_[j]``.
    items_ : ndarray of shape (n_items,)
        The item ids seen in training, likewise.
    user_factors_ : ndarray of shape (n_users, n_factors)
        :math:`\Theta`, one row :math:`\theta_u` per user.
    item_factors_ : ndarray of shape (n_items, n_factors)
        :math:`X`, one row :math:`x_i` per item.
    user_bias_ : ndarray of shape (n_users,)
        :math:`b_u` (zeros when ``biases=False``).
    item_bias_ : ndarray of shape (n_items,)
        :math:`c_i` (zeros when ``biases=False``).
    global_mean_ : float
        :math:`\mu`, the (weighted) mean training rating.
    rating_range_ : tuple of float
        The smallest and largest training ratings; predictions are clipped to it.
    cost_ : float
        The final cost :math:`J`.
    loss_curve_ : list of float
        :math:`J` after each ALS sweep (``solver="als"`` only; empty otherwise).
    n_iter_ : int
        ALS sweeps or optimiser iterations run by ``fit``.
    n_features_in_ : int
        Always 2.
    feature_names_in_ : ndarray of shape (2,)
        The column names, when ``X`` is a DataFrame.

    See Also
    --------
    surprise.SVD : The biased matrix factorisation of the Surprise library, trained by SGD.
    sklearn.decomposition.NMF : Factorises a dense or sparse matrix with every entry observed.

    Notes
    -----
    The model predicts :math:`\hat r_{ui} = \mu + b_u + c_i + \theta_u^\top x_i` and minimises the
    course's regularised cost over the observed ratings (:math:`r(i, u) = 1`), each of weight
    :math:`w` (``sample_weight``, 1 by default):

    .. math::

        J = \frac12 \sum_{r(i,u)=1} w\,(\hat r_{ui} - y_{ui})^2
            + \frac{\lambda}{2}\Big(\sum_u \lVert\theta_u\rVert^2 + \sum_i \lVert x_i\rVert^2
            + \sum_u b_u^2 + \sum_i c_i^2\Big).

    The gradient is :math:`\partial J/\partial x_i = \sum_u e_{ui}\theta_u + \lambda x_i`,
    :math:`\partial J/\partial\theta_u = \sum_i e_{ui} x_i + \lambda\theta_u` with
    :math:`e_{ui} = w(\hat r_{ui} - y_{ui})`. With the items fixed, :math:`J` is a ridge
    regression for each user in :math:`(\theta_u, b_u)` on the features :math:`(x_i, 1)` with
    targets :math:`y_{ui} - \mu - c_i`, solved exactly by the normal equations
    :math:`(\sum_i w\,\tilde x_i\tilde x_i^\top + \lambda I)\,\tilde\theta_u = \sum_i w\,\tilde x_i
    (y_{ui} - \mu - c_i)`; ALS alternates these with the symmetric item solves, and each sweep
    can only lower :math:`J`. All users' normal equations are built by one sparse product and
    solved in one batched call.

    **Cold start.** A user never seen in training is predicted :math:`\mu + c_i` (the item's
    bias), an unseen item :math:`\mu + b_u`, and a pair of strangers :math:`\mu`; predictions are
    clipped to ``rating_range_``. ``partial_fit`` adds ratings and solves the newcomers' factors
    at once, so they get personal predictions without a refit.

    References
    ----------
    F. Maxwell Harper and Joseph A. Konstan (2015), "The MovieLens Datasets: History and Context",
    ACM Transactions on Interactive Intelligent Systems 5(4) (the MovieLens-100k ratings).

    Y. Koren, R. Bell and C. Volinsky (2009), "Matrix Factorization Techniques for Recommender
    Systems", IEEE Computer 42(8) (biases and ALS).

    Examples
    --------
    >>> from skdl.recommender import CollaborativeFilter
    >>> X = [["ann", "alien"], ["ann", "brazil"], ["bob", "alien"], ["bob", "casablanca"],
    ...      ["cat", "brazil"], ["cat", "casablanca"]]
    >>> y = [5, 4, 4, 1, 5, 2]
    >>> model = CollaborativeFilter(n_factors=2, alpha=0.1, random_state=0).fit(X, y)
    >>> model.predict([["ann", "casablanca"], ["dan", "alien"]]).round(2)
    array([3.05, 4.46])
    >>> model.recommend("bob", n=1).tolist()
    ['brazil']
    """

    _parameter_constraints = {
        "n_factors": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions({"als", "lbfgs", "cg"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "biases": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self, n_factors=10, *, alpha=12.0, solver="als", max_iter=50, tol=1e-3, biases=True, random_state=None
    ):
        self.n_factors = n_factors
        self.alpha = alpha
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.biases = biases
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the factors and biases from the ratings.

        Parameters
        ----------
        X : array-like of shape (n_ratings, 2)
            User id and item id of each rating (any hashable ids).
        y : array-like of shape (n_ratings,)
            The ratings.
        sample_weight : array-like of shape (n_ratings,), default=None
            Weight of each rating; weight k counts as the rating repeated k times, and a rating of
            weight 0 is ignored (an id seen only there stays unknown).

        Returns
        -------
        self : CollaborativeFilter
        """
        X, y, weights = self._validate_ratings(X, y, sample_weight, reset=True)
        user_codes, users = _encode_ids(X[:, 0])
        item_codes, items = _encode_ids(X[:, 1])
        data = RatingData.from_ratings(user_codes, item_codes, y, weights, len(users), len(items))
        mu = float(np.dot(weights, y) / weights.sum())
        rng = check_random_state(self.random_state)
        params = _initial_parameters(rng, len(users), len(items), self.n_factors, self.biases, y.dtype)
        with single_threaded_blas():  # many small k x k solves: threads only slow them down
            if self.solver == "als":
                params, self.loss_curve_ = self._fit_als(data, mu, params)
                self.n_iter_ = len(self.loss_curve_)
            else:
                params, self.n_iter_ = self._fit_gradient(data, mu, params)
                self.loss_curve_ = []
        self.users_, self.items_ = users, items
        self.global_mean_ = mu
        self.rating_range_ = (float(y.min()), float(y.max()))
        self._set_parameters(params, y.dtype)
        self._ratings = data
        self.cost_ = self._cost()
        return self

    def _validate_ratings(self, X, y, sample_weight, *, reset):
        """Validated ``(ids, ratings, weights)``; ratings of weight 0 are dropped, as if absent."""
        X, y = validate_data(self, X, y, dtype=None, y_numeric=True, reset=reset)
        X = self._id_columns(X)
        dtype = y.dtype if y.dtype == np.float32 else np.float64
        y = y.astype(dtype, copy=False)
        weights = check_sample_weight(sample_weight, y, dtype=dtype)
        rated = weights > 0
        return X[rated], y[rated], weights[rated]

    def _id_columns(self, X):
        """The (user id, item id) columns of a validated ``X``, refusing any other shape."""
        if X.shape[1] != 2:
            raise ValueError(
                "X must have exactly two columns, the user id and the item id of each rating; "
                f"got n_features = {X.shape[1]}."
            )
        return X

    def _fit_als(self, data, mu, params):
        """Alternate the user and item ridge solves until J stops decreasing (relative ``tol``)."""
        P, Q, b, c = params
        history = LossHistory(tol=self.tol)
        for _ in range(self.max_iter):
            P, b, _ = als_half_step(data, "users", Q, c, mu, self.alpha)
            Q, c, squared_error = als_half_step(data, "items", P, b, mu, self.alpha)
            cost = 0.5 * squared_error + 0.5 * self.alpha * _squared_norm(P, Q, b, c)
            if history.record(cost):
                return (P, Q, b, c), history.losses
        warnings.warn(
            f"CollaborativeFilter (als) did not converge in max_iter={self.max_iter} sweeps "
            f"(tol={self.tol}); increase max_iter or tol.",
            ConvergenceWarning,
        )
        return (P, Q, b, c), history.losses

    def _fit_gradient(self, data, mu, params):
        """Minimise J with its analytic gradient through ``scipy.optimize`` (the course's method)."""
        shapes = [p.shape for p in params if p is not None]
        dtype = params[0].dtype
        fun_grad = flat_cost_grad(data, self.alpha, mu, shapes, dtype)
        theta, n_iter = minimize_scipy(
            fun_grad, pack(params), method=self.solver, max_iter=self.max_iter, tol=self.tol,
            estimator_name="CollaborativeFilter",
        )
        arrays = unpack(theta, shapes, dtype)
        return (arrays + [None, None])[:4], n_iter

    def _set_parameters(self, params, dtype):
        P, Q, b, c = params
        self.user_factors_, self.item_factors_ = P.astype(dtype, copy=False), Q.astype(dtype, copy=False)
        self.user_bias_ = np.zeros(len(P), dtype) if b is None else b.astype(dtype, copy=False)
        self.item_bias_ = np.zeros(len(Q), dtype) if c is None else c.astype(dtype, copy=False)

    def _cost(self):
        data = self._ratings
        prediction = predict_pairs(
            self.user_factors_, self.item_factors_, data.users, data.items, mu=self.global_mean_,
            user_bias=self.user_bias_, item_bias=self.item_bias_,
        )
        return cofi_cost(
            prediction, data, self.alpha,
            (self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_),
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Add ratings to a fitted model without refitting it.

        The new ratings join the stored ones. Every user in them (new or known) has their factors
        and bias solved again against the fixed item factors, one ridge least-squares step; then
        every item in them is solved against the user factors. Other users and items, and
        ``global_mean_``, are unchanged. On an unfitted model this is ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_ratings, 2)
            User id and item id of each new rating.
        y : array-like of shape (n_ratings,)
        sample_weight : array-like of shape (n_ratings,), default=None

        Returns
        -------
        self : CollaborativeFilter
        """
        if not hasattr(self, "user_factors_"):
            return self.fit(X, y, sample_weight)
        X, y, weights = self._validate_ratings(X, y, sample_weight, reset=False)
        dtype = self.user_factors_.dtype
        y, weights = y.astype(dtype, copy=False), weights.astype(dtype, copy=False)
        user_codes, self.users_ = _extend_ids(self.users_, X[:, 0])
        item_codes, self.items_ = _extend_ids(self.items_, X[:, 1])
        n_users, n_items = len(self.users_), len(self.items_)
        data = self._ratings.merged_with(user_codes, item_codes, y, weights, n_users, n_items)
        P, b = _grow(self.user_factors_, n_users), _grow(self.user_bias_, n_users)
        Q, c = _grow(self.item_factors_, n_items), _grow(self.item_bias_, n_items)
        mu, alpha = self.global_mean_, self.alpha
        users, items = np.unique(user_codes), np.unique(item_codes)
        with single_threaded_blas():  # many small k x k solves: threads only slow them down
            _update_rows(data, "users", users, P, b, Q, c if self.biases else None, mu, alpha)
            _update_rows(data, "items", items, Q, c, P, b if self.biases else None, mu, alpha)
        self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_ = P, Q, b, c
        low, high = self.rating_range_
        self.rating_range_ = (min(low, float(y.min())), max(high, float(y.max())))
        self._ratings = data
        self.cost_ = self._cost()
        return self

    def predict(self, X):
        """Predict the rating of each (user, item) pair, clipped to the training range.

        A user or item not seen in training falls back to the biases it has (see Notes); no
        error is raised.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2)
            User id and item id of each pair.

        Returns
        -------
        y_pred : ndarray of shape (n_pairs,)
        """
        check_is_fitted(self)
        X = self._id_columns(validate_data(self, X, dtype=None, reset=False))
        users = _lookup(self.users_, X[:, 0])
        items = _lookup(self.items_, X[:, 1])
        known_user, known_item = users >= 0, items >= 0
        prediction = np.full(len(X), self.global_mean_, dtype=self.user_factors_.dtype)
        prediction[known_user] += self.user_bias_[users[known_user]]
        prediction[known_item] += self.item_bias_[items[known_item]]
        both = known_user & known_item
        prediction[both] += pair_dot(self.user_factors_, self.item_factors_, users[both], items[both])
        return np.clip(prediction, *self.rating_range_)

    def recommend(self, user_id, n=10, *, exclude_seen=True):
        """The ``n`` items with the highest predicted rating for one user, best first.

        Parameters
        ----------
        user_id : hashable
            A user id; an unknown user gets the items with the largest bias (cold start).
        n : int, default=10
        exclude_seen : bool, default=True
            Leave out the items the user has rated.

        Returns
        -------
        item_ids : ndarray of shape (min(n, n_candidates),)
        """
        check_is_fitted(self)
        user = _lookup(self.users_, np.array([user_id], dtype=object))[0]
        scores = self.item_bias_ + self.global_mean_
        if user >= 0:
            scores = scores + self.item_factors_ @ self.user_factors_[user]
            if exclude_seen:
                data = self._ratings
                seen = data.items[data.user_indptr[user] : data.user_indptr[user + 1]]
                scores[seen] = -np.inf
        return self.items_[_top(scores, n)]

    def similar_items(self, item_id, n=10):
        """The ``n`` items whose factors have the largest cosine similarity with ``item_id``'s.

        The course's "related movies": items close in the learned feature space.

        Parameters
        ----------
        item_id : hashable
            An item seen in training.
        n : int, default=10

        Returns
        -------
        item_ids : ndarray of shape (min(n, n_items - 1),)
        """
        check_is_fitted(self)
        item = _lookup(self.items_, np.array([item_id], dtype=object))[0]
        if item < 0:
            raise KeyError(f"Item {item_id!r} was not seen in training; it has no factors.")
        norms = np.linalg.norm(self.item_factors_, axis=1)
        similarity = self.item_factors_ @ self.item_factors_[item]
        similarity = np.divide(
            similarity, norms * norms[item], out=np.zeros_like(similarity), where=norms > 0
        )
        similarity[item] = -np.inf
        return self.items_[_top(similarity, n)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The columns are ids, not measurements: strings are welcome, and a model of ratings
        # cannot score well on synthetic data whose rows rarely repeat an id.
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.regressor_tags.poor_score = True
        return tags


def _encode_ids(column):
    """Integer codes and the distinct ids (sorted when the ids can be ordered)."""
    try:
        codes, uniques = pd.factorize(column, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(column, sort=False)
    return codes.astype(np.int64), np.asarray(uniques)


def _lookup(ids, column):
    """Codes of ``column`` in ``ids``; -1 where an id is unknown."""
    return pd.Index(ids).get_indexer(pd.Index(column))


def _extend_ids(ids, column):
    """Codes of ``column`` with unknown ids appended to ``ids``; returns (codes, new ids)."""
    codes = _lookup(ids, column)
    unknown = codes < 0
    if unknown.any():
        new_codes, new_ids = pd.factorize(column[unknown])
        codes[unknown] = len(ids) + new_codes
        new_ids = np.asarray(new_ids)
        if not np.can_cast(new_ids.dtype, ids.dtype, casting="same_kind"):
            # Ints joining strings (or the reverse) must stay themselves, not become "1".
            ids, new_ids = ids.astype(object), new_ids.astype(object)
        ids = np.concatenate([ids, new_ids])
    return codes.astype(np.int64), ids


def _grow(array, n):
    """``array`` followed by zero rows up to ``n`` rows (a copy)."""
    grown = np.zeros((n,) + array.shape[1:], dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _update_rows(data, solve_for, rows, factors, bias, fixed_factors, fixed_bias, mu, alpha):
    """Solve ``rows`` of one side again, in place, against the fixed other side."""
    factors[rows], row_bias, _ = als_half_step(
        data, solve_for, fixed_factors, fixed_bias, mu, alpha, rows=rows
    )
    if row_bias is not None:
        bias[rows] = row_bias


def _squared_norm(*arrays):
    return sum(float(np.vdot(a, a)) for a in arrays if a is not None)


def _initial_parameters(rng, n_users, n_items, k, biases, dtype):
    P = (_INIT_SCALE * rng.standard_normal((n_users, k))).astype(dtype)
    Q = (_INIT_SCALE * rng.standard_normal((n_items, k))).astype(dtype)
    if not biases:
        return P, Q, None, None
    return P, Q, np.zeros(n_users, dtype), np.zeros(n_items, dtype)


def _top(scores, n):
    """Indices of the ``n`` largest finite scores, largest first."""
    candidates = np.flatnonzero(np.isfinite(scores))
    n = min(n, len(candidates))
    if n <= 0:
        return candidates[:0]
    best = candidates[np.argpartition(-scores[candidates], n - 1)[:n]]
    return best[np.argsort(-scores[best], kind="stable")]
