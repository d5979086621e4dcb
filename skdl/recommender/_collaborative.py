"""Collaborative filtering by low-rank matrix factorisation: the course's recommender, at scale."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from .._optim import LossHistory, minimize_scipy
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._fit_state import reset_to_unfitted
from ..utils._progress import EpochPrinter
from ..utils._threads import n_threads, single_threaded_blas
from ..utils._validation import check_sample_weight
from ._als import als_sweep
from ._cost import flat_cost_grad, pack, squared_error, unpack
from ._factors import Factors
from ._fold_in import fold_in
from ._ids import IdVocabulary, as_id_values, id_column, id_table
from ._implicit import implicit_matrix
from ._ratings import RatingData, RatingStore
from ._topn import top_n_codes, top_n_rows

# The solver defaults that max_iter=None and tol=None stand for.
_DEFAULT_MAX_ITER = {"als": 50, "lbfgs": 1000, "cg": 1000}
_DEFAULT_TOL = {"als": 1e-3, "lbfgs": 0.1, "cg": 0.1}
# Conjugate-gradient steps on the implicit factors Y per ALS sweep (each lowers J; 3 reach the
# RMSE of 10 at a third of the time on MovieLens-100k).
_IMPLICIT_CG_STEPS = 3


class CollaborativeFilter(RegressorMixin, BaseEstimator):
    r"""Low-rank matrix factorisation with biases: the course's recommender system.

    Each row of ``X`` is one rating: the user's id and the item's id, any hashable values (ints,
    strings, pandas extension types), in columns ``user_col`` and ``item_col`` (other columns
    are ignored); ``y`` holds the ratings. The ratings are kept sparse (unique (user, item) pairs
    indexed by user and by item); no dense users x items matrix is ever built.

    Parameters
    ----------
    n_factors : int, default=10
        Number of latent factors :math:`k` per user and per item (the course's ``num_features``).
    alpha : float, default=12.0
        Strength :math:`\lambda > 0` of the L2 penalty on factors and biases (the course's
        ``lambda``). It multiplies a sum over users and items, so it does not scale with the
        number of ratings.
    implicit : bool, default=False
        Add implicit feedback as in SVD++ (Koren, 2008): which items a user rated becomes part of
        the user's vector, :math:`p_u = \theta_u + |N(u)|^{-1/2}\sum_{j\in N(u)} y_j` (see Notes).
        About 1% lower RMSE on MovieLens-100k for about twice the fit time.
    alpha_implicit : float, default=40.0
        Strength :math:`\lambda_y > 0` of the L2 penalty on the implicit factors :math:`y_j`
        (used when ``implicit=True``).
    solver : {"als", "lbfgs", "cg"}, default="als"
        ``"als"`` alternates exact ridge solves of all users' and all items' parameters
        (alternating least squares; with ``implicit=True`` also a few conjugate-gradient steps on
        the implicit factors). ``"lbfgs"`` and ``"cg"`` are the course's method: the full cost
        :math:`J` and its analytic gradient minimised by ``scipy.optimize`` (L-BFGS-B or
        conjugate gradient). All three minimise the same :math:`J`.
    max_iter : int or None, default=None
        Largest number of ALS sweeps (one sweep solves users then items), or of L-BFGS / CG
        iterations. ``None`` is 50 sweeps for ALS (about 8 reach the default ``tol`` on MovieLens)
        and 1000 iterations for L-BFGS and CG (a few hundred reach theirs).
    tol : float or None, default=None
        ALS stops when a sweep lowers :math:`J` by less than ``tol`` times :math:`J` (``None``:
        1e-3); L-BFGS and CG stop when the largest entry of the (projected) gradient of :math:`J`
        is below ``tol`` (``None``: 0.1, which is within 0.01% of the optimum on MovieLens).
    biases : bool, default=True
        Learn a bias per user :math:`b_u` and per item :math:`c_i` beside the global mean
        :math:`\mu`. With ``False`` the model is :math:`\mu + \theta_u^\top x_i`.
    user_col, item_col : int or str, default=0 and 1
        The columns of ``X`` holding the user and the item ids: positions, or column names when
        ``X`` is a DataFrame. Other columns are ignored.
    n_jobs : int or None, default=None
        Threads for the ALS solves (blocks of users or items solved at once); ``None`` is 1 and
        -1 all the cores this process may use.
    verbose : int, default=0
        Above 0, print one line per ALS sweep or optimiser iteration with :math:`J` and the
        elapsed time.
    random_state : int, RandomState instance or None, default=None
        Draws the initial factors.

    Attributes
    ----------
    users_ : ndarray or pandas ExtensionArray of shape (n_users,)
        The user ids seen in training (sorted when they can be, of the type given); row ``j`` of
        ``user_factors_`` belongs to ``users_[j]``.
    items_ : ndarray or pandas ExtensionArray of shape (n_items,)
        The item ids seen in training, likewise.
    user_factors_ : ndarray of shape (n_users, n_factors)
        :math:`\Theta`, one row :math:`\theta_u` per user.
    item_factors_ : ndarray of shape (n_items, n_factors)
        :math:`X`, one row :math:`x_i` per item.
    user_bias_ : ndarray of shape (n_users,)
        :math:`b_u` (zeros when ``biases=False``).
    item_bias_ : ndarray of shape (n_items,)
        :math:`c_i` (zeros when ``biases=False``).
    implicit_factors_ : ndarray of shape (n_items, n_factors)
        :math:`Y`, the items' "rated" factors :math:`y_j` (only with ``implicit=True``).
    implicit_user_factors_ : ndarray of shape (n_users, n_factors)
        :math:`z_u = |N(u)|^{-1/2}\sum_{j \in N(u)} y_j`; a user's vector is
        ``user_factors_ + implicit_user_factors_`` (only with ``implicit=True``).
    global_mean_ : float
        :math:`\mu`, the (weighted) mean training rating.
    rating_range_ : tuple of float
        The smallest and largest training ratings; predictions are clipped to it.
    cost_ : float
        The cost :math:`J` over every rating seen (``partial_fit`` keeps it up to date).
    loss_curve_ : list of float
        :math:`J` after each ALS sweep or optimiser iteration of ``fit``.
    n_iter_ : int
        ALS sweeps or optimiser iterations run by ``fit``, plus one per ``partial_fit`` since.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names, when ``X`` is a DataFrame.

    See Also
    --------
    surprise.SVD : The biased matrix factorisation of the Surprise library, trained by SGD.
    surprise.SVDpp : Surprise's SVD++, trained by SGD.
    sklearn.decomposition.NMF : Factorises a dense or sparse matrix with every entry observed.

    Notes
    -----
    The model predicts :math:`\hat r_{ui} = \mu + b_u + c_i + x_i^\top p_u` with
    :math:`p_u = \theta_u` and minimises the course's regularised cost over the observed ratings
    (:math:`r(i, u) = 1`), each of weight :math:`w` (``sample_weight``, 1 by default):

    .. math::

        J = \frac12 \sum_{r(i,u)=1} w\,(\hat r_{ui} - y_{ui})^2
            + \frac{\lambda}{2}\Big(\sum_u \lVert\theta_u\rVert^2 + \sum_i \lVert x_i\rVert^2
            + \sum_u b_u^2 + \sum_i c_i^2\Big)
            \;\Big[+ \frac{\lambda_y}{2}\sum_j \lVert y_j\rVert^2\Big].

    The gradient is :math:`\partial J/\partial x_i = \sum_u e_{ui} p_u + \lambda x_i`,
    :math:`\partial J/\partial\theta_u = \sum_i e_{ui} x_i + \lambda\theta_u` with
    :math:`e_{ui} = w(\hat r_{ui} - y_{ui})`. With the items fixed, :math:`J` is a ridge
    regression for each user in :math:`(\theta_u, b_u)` on the features :math:`(x_i, 1)` with
    targets :math:`y_{ui} - \mu - c_i - x_i^\top z_u`, solved exactly by the normal equations
    :math:`(\sum_i w\,\tilde x_i\tilde x_i^\top + \lambda I)\,\tilde\theta_u = \sum_i w\,\tilde x_i
    (y_{ui} - \mu - c_i - x_i^\top z_u)`; ALS alternates these with the symmetric item solves (on
    the features :math:`(p_u, 1)`), and each sweep can only lower :math:`J`. All users' normal
    equations are built by one sparse product and solved in one batched call.

    **Implicit feedback (SVD++).** With ``implicit=True`` the user's vector is
    :math:`p_u = \theta_u + z_u`, :math:`z_u = |N(u)|^{-1/2}\sum_{j\in N(u)} y_j`, where
    :math:`N(u)` is the set of items the user rated (a weight-k rating counts once there, so a
    weight is still a repetition) and the bracketed penalty joins :math:`J`. Two users with the
    same explicit factors differ by what they chose to rate, which carries information beyond
    the ratings' values. For all users :math:`Z = S\,Y` with :math:`S` the sparse matrix of
    :math:`|N(u)|^{-1/2}` at the rated pairs; with the other parameters fixed :math:`J` is a
    convex quadratic in :math:`Y`,
    :math:`\tfrac12\sum_u (z_u^\top A_u z_u - 2 z_u^\top g_u) + \tfrac{\lambda_y}{2}\lVert Y\rVert^2`
    with :math:`A_u = \sum_i w\,x_i x_i^\top` and :math:`g_u = \sum_i w\,(y_{ui} - \mu - b_u - c_i
    - x_i^\top\theta_u)\,x_i`, whose Hessian couples all the items a user rated. Each ALS sweep
    therefore solves the users exactly, then takes three conjugate-gradient steps on :math:`Y`
    (each two sparse products and one batched k x k product; each can only lower :math:`J`),
    then solves the items exactly. ``solver="lbfgs"`` and ``"cg"`` minimise the same :math:`J`
    with :math:`\partial J/\partial Y = S^\top G + \lambda_y Y`, :math:`G_u = \sum_i e_{ui} x_i`.
    Surprise's SVD++ trains the same model by stochastic gradient descent, one rating at a time.

    **How the defaults were chosen.** By 5-fold cross-validation on MovieLens-100k, on folds
    shuffled with seeds 1 and 2 (the benchmark reports seed 0, which took no part): ``alpha``
    over 8-24 for the default model (12 is best), then ``alpha_implicit`` over 5-120 with
    ``alpha=12`` and ``n_factors=10`` for the implicit one (40 is best; 20 factors give the same
    RMSE at twice the time). ``alpha=14`` lowers the implicit model's RMSE by a further 0.001.

    **Cold start and updates.** A user never seen in training is predicted :math:`\mu + c_i`
    (the item's bias), an unseen item :math:`\mu + b_u`, and a pair of strangers :math:`\mu`;
    predictions are clipped to ``rating_range_``. ``partial_fit`` adds ratings and solves the
    rows they touch again, so newcomers get personal predictions without a refit; its cost is
    proportional to the new ratings and the stored ratings of the users and items in them.

    References
    ----------
    F. Maxwell Harper and Joseph A. Konstan (2015), "The MovieLens Datasets: History and Context",
    ACM Transactions on Interactive Intelligent Systems 5(4) (the MovieLens-100k ratings).

    Y. Koren, R. Bell and C. Volinsky (2009), "Matrix Factorization Techniques for Recommender
    Systems", IEEE Computer 42(8) (biases and ALS).

    Y. Koren (2008), "Factorization Meets the Neighborhood: a Multifaceted Collaborative
    Filtering Model", Proceedings of the 14th ACM SIGKDD (SVD++).

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
    >>> [items.tolist() for items in model.recommend(["ann", "bob"], n=1)]
    [['casablanca'], ['brazil']]
    """

    _parameter_constraints = {
        "n_factors": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "implicit": ["boolean"],
        "alpha_implicit": [Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions({"als", "lbfgs", "cg"})],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "biases": ["boolean"],
        "user_col": [Interval(Integral, 0, None, closed="left"), str],
        "item_col": [Interval(Integral, 0, None, closed="left"), str],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_factors=10,
        *,
        alpha=12.0,
        implicit=False,
        alpha_implicit=40.0,
        solver="als",
        max_iter=None,
        tol=None,
        biases=True,
        user_col=0,
        item_col=1,
        n_jobs=None,
        verbose=0,
        random_state=None,
    ):
        self.n_factors = n_factors
        self.alpha = alpha
        self.implicit = implicit
        self.alpha_implicit = alpha_implicit
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.biases = biases
        self.user_col = user_col
        self.item_col = item_col
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the factors and biases from the ratings.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_ratings, n_columns)
            User id and item id of each rating, in columns ``user_col`` and ``item_col``.
        y : array-like of shape (n_ratings,)
            The ratings.
        sample_weight : array-like of shape (n_ratings,), default=None
            Non-negative weight of each rating; weight k counts as the rating repeated k times,
            and a rating of weight 0 is ignored (an id seen only there stays unknown).

        Returns
        -------
        self : CollaborativeFilter
            The fitted model.
        """
        self._forget_fit()  # a fit that fails leaves an unfitted model, not the previous one
        user_ids, item_ids, y, weights = self._validate_ratings(X, y, sample_weight, reset=True)
        user_codes, users = IdVocabulary.encode(user_ids)
        item_codes, items = IdVocabulary.encode(item_ids)
        data = RatingData.from_ratings(user_codes, item_codes, y, weights, len(users), len(items))
        mu = float(np.dot(weights, y) / weights.sum())
        with single_threaded_blas():  # many small k x k solves: threads only slow them down
            factors, loss_curve = self._solve(data, mu, y.dtype)
        self._users, self._items = users, items
        self.users_, self.items_ = users.ids, items.ids
        self.global_mean_ = mu
        self.rating_range_ = (float(y.min()), float(y.max()))
        self._publish(factors.astype(y.dtype))
        self._fitted_structure = self._structure()
        self.loss_curve_, self.n_iter_ = loss_curve, len(loss_curve)
        store = RatingStore.of(data)
        self.cost_ = loss_curve[-1] if self.solver == "als" else self._objective(store)
        self._store = store  # last: only a finished fit counts as fitted (see __sklearn_is_fitted__)
        return self

    def _forget_fit(self):
        """Remove what an earlier fit left (not scikit-learn's own configuration)."""
        reset_to_unfitted(self)

    def __sklearn_is_fitted__(self):
        # validate_data sets n_features_in_ before the ids are checked: only a finished fit counts.
        return hasattr(self, "_store")

    def _structure(self):
        """The parameters that shape the fitted arrays; partial_fit cannot change them."""
        return {"n_factors": self.n_factors, "biases": self.biases, "implicit": self.implicit}

    def _validate_ratings(self, X, y, sample_weight, *, reset):
        """Validated ``(user ids, item ids, ratings, weights)``; ratings of weight 0 are dropped."""
        user_ids, item_ids = self._validate_ids(X, y, reset=reset)
        y = column_or_1d(check_array(y, ensure_2d=False, dtype="numeric", input_name="y"), warn=True)
        check_consistent_length(user_ids, y)
        dtype = y.dtype if y.dtype == np.float32 else np.float64
        y = y.astype(dtype, copy=False)
        _check_rating_scale(y)
        weights = check_sample_weight(sample_weight, y, dtype=dtype)
        rated = weights > 0
        return user_ids[rated], item_ids[rated], y[rated], weights[rated]

    def _validate_ids(self, X, y="no_validation", *, reset):
        """The user-id and item-id columns of ``X``, checked (see ``user_col``, ``item_col``)."""
        table = id_table(X)
        validate_data(self, table, y, skip_check_array=True, reset=reset)
        if self.user_col == self.item_col:
            raise ValueError(f"user_col and item_col are both {self.user_col!r}; they must name two columns.")
        return id_column(table, self.user_col, "user_col"), id_column(table, self.item_col, "item_col")

    def _resolved(self, name, defaults):
        value = getattr(self, name)
        return defaults[self.solver] if value is None else value

    def _n_threads(self):
        if self.n_jobs is None:
            return 1
        if self.n_jobs == 0:
            raise ValueError("n_jobs == 0 has no meaning: give a positive number of threads, -1 for all, or None.")
        available = n_threads()
        return max(1, min(self.n_jobs, available) if self.n_jobs > 0 else available + 1 + self.n_jobs)

    def _solve(self, data, mu, dtype):
        """Initial factors, then the solver: returns the factors and J per sweep / iteration."""
        rng = check_random_state(self.random_state)
        factors = Factors.initial(
            rng, data.n_users, data.n_items, self.n_factors, biases=self.biases, implicit=self.implicit, dtype=dtype
        )
        implicit = None
        if self.implicit:
            implicit = implicit_matrix(data.users, data.items, data.n_users, data.n_items, dtype)
        if self.solver == "als":
            return self._fit_als(data, mu, factors, implicit)
        return self._fit_gradient(data, mu, factors, implicit)

    def _fit_als(self, data, mu, factors, implicit):
        """Sweep until J stops decreasing (relative ``tol``); returns the factors and J per sweep."""
        max_iter, tol = self._resolved("max_iter", _DEFAULT_MAX_ITER), self._resolved("tol", _DEFAULT_TOL)
        if implicit is not None:
            implicit = (implicit, implicit.T.tocsr(), self.alpha_implicit, _IMPLICIT_CG_STEPS)
        history = LossHistory(tol=tol)
        progress = EpochPrinter(self.verbose, type(self).__name__, "sweep")
        n_threads = self._n_threads()
        for sweep in range(1, max_iter + 1):
            factors, cost = als_sweep(data, factors, mu, self.alpha, implicit=implicit, n_threads=n_threads)
            progress.step(sweep, loss=cost)
            if history.record(cost):
                return factors, history.losses
        warnings.warn(
            f"CollaborativeFilter (als) did not converge in max_iter={max_iter} sweeps "
            f"(tol={tol}); increase max_iter or tol.",
            ConvergenceWarning,
        )
        return factors, history.losses

    def _fit_gradient(self, data, mu, factors, implicit):
        """Minimise J with its analytic gradient through ``scipy.optimize`` (the course's method)."""
        arrays = [factors.user, factors.item, factors.user_bias, factors.item_bias, factors.implicit]
        arrays = [a for a in arrays if a is not None]
        shapes, dtype = [a.shape for a in arrays], arrays[0].dtype
        fun_grad = flat_cost_grad(
            data, self.alpha, mu, shapes, dtype, None if implicit is None else (implicit, self.alpha_implicit)
        )
        progress = EpochPrinter(self.verbose, type(self).__name__, "iteration")
        losses = []

        def record(iteration, value):
            losses.append(value)
            progress.step(iteration, loss=value)

        theta, _ = minimize_scipy(
            fun_grad, pack(arrays), method=self.solver, max_iter=self._resolved("max_iter", _DEFAULT_MAX_ITER),
            tol=self._resolved("tol", _DEFAULT_TOL), estimator_name="CollaborativeFilter", callback=record,
        )
        solved = unpack(theta, shapes, dtype)
        user, item = solved[:2]
        biases = solved[2:4] if self.biases else [None, None]
        implicit_factors = solved[-1] if implicit is not None else None
        implicit_user = None if implicit is None else np.asarray(implicit @ implicit_factors)
        return Factors(user, item, *biases, implicit_factors, implicit_user), losses

    def _publish(self, factors):
        """Set the fitted arrays from ``factors``."""
        self.user_factors_, self.item_factors_ = factors.user, factors.item
        dtype = factors.user.dtype
        self.user_bias_ = np.zeros(len(factors.user), dtype) if factors.user_bias is None else factors.user_bias
        self.item_bias_ = np.zeros(len(factors.item), dtype) if factors.item_bias is None else factors.item_bias
        if factors.has_implicit:
            self.implicit_factors_, self.implicit_user_factors_ = factors.implicit, factors.implicit_user

    def _factors(self):
        """The fitted arrays as :class:`Factors` (shared, not copied)."""
        implicit = self._fitted_structure["implicit"]
        return Factors(
            self.user_factors_, self.item_factors_,
            self.user_bias_ if self._fitted_structure["biases"] else None,
            self.item_bias_ if self._fitted_structure["biases"] else None,
            self.implicit_factors_ if implicit else None, self.implicit_user_factors_ if implicit else None,
        )

    def _objective(self, store=None):
        """:math:`J` over every stored rating, computed afresh (``cost_`` is kept up to date)."""
        store = self._store if store is None else store
        users, items, weight, weighted_rating = store.all_pairs()
        prediction = self._factors().predict_pairs(users, items, self.global_mean_)
        error = squared_error(prediction, weight, weighted_rating, store.sum_weighted_squares)
        return 0.5 * error + self._factors().penalty(self.alpha, self.alpha_implicit)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Add ratings to a fitted model without refitting it.

        The new ratings join the stored ones. Every user in them (new or known) has their factors
        and bias solved again against the fixed item factors, one ridge least-squares step (with
        ``implicit=True`` their implicit part is recomputed from the items they have now rated;
        the implicit factors stay fixed); then every item in them is solved against the users'
        vectors. Other users and items, and ``global_mean_``, are unchanged. The work is
        proportional to the new ratings and the stored ratings of the users and items in them,
        not to all stored ratings. On an unfitted model this is ``fit``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_ratings, n_columns)
            User id and item id of each new rating, in the columns of ``fit``.
        y : array-like of shape (n_ratings,)
            The new ratings.
        sample_weight : array-like of shape (n_ratings,), default=None
            Non-negative weight of each new rating.

        Returns
        -------
        self : CollaborativeFilter
            The updated model.
        """
        if not hasattr(self, "_store"):
            return self.fit(X, y, sample_weight)
        if self._structure() != self._fitted_structure:
            raise ValueError(
                f"partial_fit cannot change the shape of a fitted model: it was fitted with "
                f"{self._fitted_structure}, and the parameters are now {self._structure()}. Call fit."
            )
        user_ids, item_ids, y, weights = self._validate_ratings(X, y, sample_weight, reset=False)
        dtype = self.user_factors_.dtype
        y, weights = y.astype(dtype, copy=False), weights.astype(dtype, copy=False)
        user_codes, users = self._users.extended(user_ids)
        item_codes, items = self._items.extended(item_ids)
        store = self._store.added(user_codes, item_codes, y, weights, len(users), len(items))
        factors = self._factors().grown(len(users), len(items))
        with single_threaded_blas():  # many small k x k solves: threads only slow them down
            # fold_in writes the new rows only once every solve has succeeded.
            cost_change = fold_in(
                store, factors, np.unique(user_codes), np.unique(item_codes),
                (user_codes, item_codes, y, weights), self.global_mean_, self.alpha,
            )
        self._users, self._items, self._store = users, items, store
        self.users_, self.items_ = users.ids, items.ids
        self._publish(factors)
        low, high = self.rating_range_
        self.rating_range_ = (min(low, float(y.min())), max(high, float(y.max())))
        self.cost_ += cost_change
        self.n_iter_ += 1
        return self

    def predict(self, X):
        """Predict the rating of each (user, item) pair, clipped to the training range.

        A user or item not seen in training falls back to the biases it has (see Notes); no
        error is raised.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_pairs, n_columns)
            User id and item id of each pair, in the columns of ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_pairs,)
            The predicted ratings.
        """
        check_is_fitted(self)
        user_ids, item_ids = self._validate_ids(X, reset=False)
        users, items = self._users.lookup(user_ids), self._items.lookup(item_ids)
        known_user, known_item = users >= 0, items >= 0
        prediction = np.full(len(users), self.global_mean_, dtype=self.user_factors_.dtype)
        prediction[known_user] += self.user_bias_[users[known_user]]
        prediction[known_item] += self.item_bias_[items[known_item]]
        both = known_user & known_item
        factors = self._factors()
        prediction[both] = factors.predict_pairs(users[both], items[both], self.global_mean_)
        return np.clip(prediction, *self.rating_range_)

    def recommend(self, user_id, n=10, *, exclude_seen=True):
        """The ``n`` items with the highest predicted rating for one user or for many, best first.

        Many users are scored together, a batch of users times all items per matrix product.

        Parameters
        ----------
        user_id : hashable or array-like of shape (n_users,)
            A user id, or an array (list, Series) of them. An unknown user gets the items with
            the largest bias (cold start).
        n : int, default=10
            Length of each list.
        exclude_seen : bool, default=True
            Leave out the items each user has rated.

        Returns
        -------
        item_ids : ndarray of shape (min(n, n_candidates),), or ndarray of object of shape (n_users,)
            For one user, the item ids (of the type of ``items_``), best first. For an array of
            users, an object array holding one such array per user.
        """
        check_is_fitted(self)
        if not isinstance(n, Integral) or n < 0:
            raise ValueError(f"n must be a non-negative integer; got {n!r}.")
        ids, scalar = as_id_values(user_id)
        codes = self._users.lookup(ids)
        factors = self._factors()
        seen = None
        if exclude_seen:
            def seen(rows):
                block = self._store.block("users", rows)
                return block.row, block.col

        lists = top_n_codes(factors.user_vectors, codes, self.item_factors_,
                            self.global_mean_ + self.item_bias_, seen, n)
        if scalar:
            return self.items_[lists[0]]
        result = np.empty(len(lists), dtype=object)
        for position, item_codes in enumerate(lists):
            result[position] = self.items_[item_codes]
        return result

    def similar_items(self, item_id, n=10):
        """The ``n`` items whose factors have the largest cosine similarity with ``item_id``'s.

        The course's "related movies": items close in the learned feature space.

        Parameters
        ----------
        item_id : hashable
            An item seen in training.
        n : int, default=10
            Length of the list.

        Returns
        -------
        item_ids : ndarray of shape (min(n, n_items - 1),)
            The item ids (of the type of ``items_``), most similar first.
        """
        check_is_fitted(self)
        item = self._items.lookup(np.array([item_id], dtype=object))[0]
        if item < 0:
            raise KeyError(f"Item {item_id!r} was not seen in training; it has no factors.")
        norms = np.linalg.norm(self.item_factors_, axis=1)
        similarity = self.item_factors_ @ self.item_factors_[item]
        similarity = np.divide(similarity, norms * norms[item], out=np.zeros_like(similarity), where=norms > 0)
        similarity[item] = -np.inf
        return self.items_[top_n_rows(similarity[None, :], n)[0]]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The columns are ids, not measurements: strings are welcome, and a model of ratings
        # cannot score well on synthetic data whose rows rarely repeat an id.
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.regressor_tags.poor_score = True
        return tags


def _check_rating_scale(y):
    """Refuse ratings so large that the solvers' squares of squares would overflow the dtype.

    The factors grow as the square root of the ratings and the normal equations hold their
    squares, which LAPACK squares again: up to the fourth root of the largest float (1e77 in
    float64, 1e9 in float32) every step stays finite.
    """
    largest = float(np.max(np.abs(y))) if len(y) else 0.0
    limit = float(np.finfo(y.dtype).max) ** 0.25
    if largest > limit:
        raise ValueError(
            f"Ratings as large as {largest:.3g} would overflow the solvers in {y.dtype}, which "
            f"handle ratings up to {limit:.3g} in size; rescale y, e.g. to stars 1-5."
        )
