r"""The ratings as sparse structure: unique (user, item) pairs in two orders, never a dense matrix.

A rating ``r`` of weight ``w`` enters every objective of this package only through the sums
:math:`W_{ui} = \sum w` and :math:`(WY)_{ui} = \sum w r` over the ratings of each pair, and through
the constant :math:`\sum w r^2`; so repeated pairs are merged and a rating of weight ``k`` is
exactly ``k`` copies of it.
"""

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class RatingData:
    """Unique (user, item) pairs sorted by user then item, with their summed weights and ratings.

    ``item_order`` sorts the pairs by item (then user); ``user_indptr`` and ``item_indptr`` delimit
    each user's and each item's pairs in the two orders, as in CSR and CSC matrices.
    """

    users: np.ndarray
    items: np.ndarray
    weight: np.ndarray
    weighted_rating: np.ndarray
    sum_weighted_squares: float
    n_users: int
    n_items: int
    item_order: np.ndarray
    user_indptr: np.ndarray
    item_indptr: np.ndarray

    @classmethod
    def from_ratings(cls, users, items, ratings, weights, n_users, n_items):
        """Merge repeated pairs and index the result by user and by item."""
        key = users.astype(np.int64) * n_items + items
        unique_key, pair = np.unique(key, return_inverse=True)
        weighted = weights * ratings
        pair_weight = np.bincount(pair, weights=weights, minlength=len(unique_key))
        pair_weighted_rating = np.bincount(pair, weights=weighted, minlength=len(unique_key))
        index_dtype = np.int32 if max(n_users, n_items, len(unique_key)) < 2**31 - 1 else np.int64
        pair_users = (unique_key // n_items).astype(index_dtype)
        pair_items = (unique_key % n_items).astype(index_dtype)
        item_order = np.argsort(pair_items, kind="stable")
        return cls(
            users=pair_users,
            items=pair_items,
            weight=pair_weight.astype(ratings.dtype),
            weighted_rating=pair_weighted_rating.astype(ratings.dtype),
            sum_weighted_squares=float(np.dot(weighted, ratings)),
            n_users=n_users,
            n_items=n_items,
            item_order=item_order,
            user_indptr=_indptr(pair_users, n_users, index_dtype),
            item_indptr=_indptr(pair_items, n_items, index_dtype),
        )

    @property
    def n_pairs(self):
        return len(self.users)

    def by_user(self, values):
        """The users x items CSR matrix holding ``values`` (one per pair, in user order)."""
        return sp.csr_matrix(
            (values, self.items, self.user_indptr), shape=(self.n_users, self.n_items), copy=False
        )

    def by_item(self, values):
        """The items x users CSR matrix holding ``values`` (one per pair, given in user order)."""
        return sp.csr_matrix(
            (values[self.item_order], self.users[self.item_order], self.item_indptr),
            shape=(self.n_items, self.n_users),
            copy=False,
        )

    def merged_with(self, users, items, ratings, weights, n_users, n_items):
        """The pairs of ``self`` and of the new ratings (ids may now run up to the new sizes)."""
        merged = RatingData.from_ratings(
            np.concatenate([self.users, users]),
            np.concatenate([self.items, items]),
            # A merged pair is one rating of weight W and rating WY / W: the sums W and WY are
            # kept exactly; sum_weighted_squares is carried separately below.
            np.concatenate([_safe_mean(self.weighted_rating, self.weight), ratings]),
            np.concatenate([self.weight, weights]),
            n_users,
            n_items,
        )
        added_squares = float(np.dot(weights * ratings, ratings))
        return replace(merged, sum_weighted_squares=self.sum_weighted_squares + added_squares)


def _indptr(sorted_index, n, dtype):
    return np.concatenate([[0], np.cumsum(np.bincount(sorted_index, minlength=n))]).astype(dtype)


def _safe_mean(weighted_sum, weight):
    return np.divide(weighted_sum, weight, out=np.zeros_like(weighted_sum), where=weight != 0)
