r"""Folding new ratings into a fitted model: only the rows they touch are solved again.

Every user in the new ratings (new or known) has :math:`(\theta_u, b_u)` solved again, one exact
ridge step against the fixed item side (with :math:`z_u` recomputed from the items the user has
now rated, the implicit factors :math:`Y` fixed); then every item in them has :math:`(x_i, c_i)`
solved against the users' vectors. The cost :math:`J` is updated from the pairs whose prediction
changed, those of the touched users and items. All of it is gathered from the touched rows of the
:class:`~skdl.recommender._ratings.RatingStore`: the work is proportional to the pairs of those
rows, never to all the stored ratings.
"""

import numpy as np
import scipy.sparse as sp

from ._als import features_of, solve_ridge_rows, split_bias
from ._cost import squared_error
from ._implicit import implicit_matrix


def fold_in(store, factors, users, items, new_ratings, mu, alpha):
    """Solve the rows of ``users`` then ``items`` again and write them into ``factors``, in place.

    ``factors`` must already have rows for every id in ``store``. ``new_ratings`` is
    ``(users, items, ratings, weights)`` of the ratings just added (codes). Nothing is written
    until every solve has succeeded. Returns the change of :math:`J`.
    """
    user_block, item_block = store.block("users", users), store.block("items", items)
    user, user_bias, implicit_user = _solve_users(user_block, factors, mu, alpha)
    vectors = user if implicit_user is None else user + implicit_user
    item, item_bias = _solve_items(item_block, factors, users, vectors, user_bias, mu, alpha)
    entries = np.union1d(user_block.entry, item_block.entry)
    pair_users, pair_items, weight, weighted_rating = store.pairs_at(entries)
    new_users, new_items, ratings, weights = new_ratings
    old_pairs = factors.predict_pairs(pair_users, pair_items, mu)
    old_new_ratings = factors.predict_pairs(new_users, new_items, mu)
    old_penalty = _row_penalty(factors, users, items, alpha)
    factors.set_rows("users", users, user, user_bias, implicit_user)
    factors.set_rows("items", items, item, item_bias)
    new_pairs = factors.predict_pairs(pair_users, pair_items, mu)
    # The affected pairs' squared error before the update had no new ratings in it.
    before = squared_error(old_pairs, weight, weighted_rating, 0.0) - squared_error(
        old_new_ratings, weights, weights * ratings, 0.0
    )
    after = squared_error(new_pairs, weight, weighted_rating, 0.0) + float(np.dot(weights * ratings, ratings))
    return 0.5 * (after - before) + _row_penalty(factors, users, items, alpha) - old_penalty


def _solve_users(block, factors, mu, alpha):
    implicit_user = None
    offset = mu + (factors.item_bias[block.col] if factors.biases else 0.0)
    if factors.has_implicit:
        keep = block.distinct
        S = implicit_matrix(block.row[keep], block.col[keep], block.n_rows, block.n_cols, factors.item.dtype)
        implicit_user = np.asarray(S @ factors.implicit)

    def item_features(cols):
        return features_of(factors.item[cols], factors.biases)

    solution = _solve_block(block, item_features, offset, alpha, shift=implicit_user)
    return (*split_bias(solution, factors.biases), implicit_user)


def _solve_items(block, factors, users, vectors, user_bias, mu, alpha):
    """The items' solves, the touched users' new ``vectors`` and ``user_bias`` in place of the old."""

    def user_features(cols):
        return features_of(_overlay(factors.user_vectors(cols), cols, users, vectors), factors.biases)

    offset = mu
    if factors.biases:
        offset = mu + _overlay(factors.user_bias[block.col], block.col, users, user_bias)
    return split_bias(_solve_block(block, user_features, offset, alpha), factors.biases)


def _solve_block(block, features_at, offset, alpha, shift=None):
    """The block's ridge solves, over only the columns its pairs use."""
    cols, local = np.unique(block.col, return_inverse=True)
    shape = (block.n_rows, len(cols))
    weights = sp.csr_matrix((block.weight, (block.row, local)), shape=shape)
    targets = sp.csr_matrix((block.weighted_rating - block.weight * offset, (block.row, local)), shape=shape)
    return solve_ridge_rows(weights, targets, features_at(cols), alpha, shift=shift).solution


def _overlay(values, index, rows, new_values):
    """``values`` (one per entry of ``index``) with ``new_values[j]`` wherever ``index == rows[j]``."""
    position = np.minimum(np.searchsorted(rows, index), len(rows) - 1)
    hit = rows[position] == index
    values = values.copy()
    values[hit] = new_values[position[hit]]
    return values


def _row_penalty(factors, users, items, alpha):
    arrays = [factors.user[users], factors.item[items]]
    if factors.biases:
        arrays += [factors.user_bias[users], factors.item_bias[items]]
    return 0.5 * alpha * sum(float(np.vdot(a, a)) for a in arrays)
