r"""The ratings as sparse structure: unique (user, item) pairs in two orders, never a dense matrix.

A rating ``r`` of weight ``w`` enters every objective of this package only through the sums
:math:`W_{ui} = \sum w` and :math:`(WY)_{ui} = \sum w r` over the ratings of each pair, and through
the constant :math:`\sum w r^2`; so repeated pairs are merged and a rating of weight ``k`` is
exactly ``k`` copies of it.

:class:`RatingData` holds such pairs compactly (sorted by user, with the item order beside).
:class:`RatingStore` is what a fitted model keeps: the compact pairs of ``fit`` plus the pairs that
``partial_fit`` added since, in a second, small :class:`RatingData`. Adding ratings rebuilds only
the small part; it is merged into the compact part when it passes a sixty-fourth of it, so a
stored rating is re-sorted O(1) times on average. :class:`PairBlock` gathers the pairs of a few
users (or items) from both parts, in time proportional to those pairs.
"""

from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np
import scipy.sparse as sp

_KEY_BITS = 31
_MAX_IDS = 2**_KEY_BITS - 1


def pair_keys(rows, cols):
    """One int64 per (row, col) pair, ordered as the pairs are (by row, then col)."""
    return (np.asarray(rows, dtype=np.int64) << _KEY_BITS) | np.asarray(cols, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class RatingData:
    """Unique (user, item) pairs sorted by user then item, with their summed weights and ratings.

    ``item_order`` sorts the pairs by item (then user); ``user_indptr`` and ``item_indptr`` delimit
    each user's and each item's pairs in the two orders, as in CSR and CSC matrices. They are
    computed when first used.
    """

    users: np.ndarray
    items: np.ndarray
    weight: np.ndarray
    weighted_rating: np.ndarray
    sum_weighted_squares: float
    n_users: int
    n_items: int

    @classmethod
    def from_ratings(cls, users, items, ratings, weights, n_users, n_items):
        """Merge repeated pairs of the ratings and sort the result by user."""
        weighted = weights * ratings
        return cls.from_sums(users, items, weights, weighted, float(np.dot(weighted, ratings)), n_users, n_items)

    @classmethod
    def from_sums(cls, users, items, weight, weighted_rating, sum_weighted_squares, n_users, n_items):
        """Merge pairs given by their sums :math:`W` and :math:`WY` (repeats are added up)."""
        if max(n_users, n_items) > _MAX_IDS:
            raise ValueError(f"At most {_MAX_IDS} distinct users and items are supported.")
        unique_key, pair = np.unique(pair_keys(users, items), return_inverse=True)
        dtype = weight.dtype
        pair_weight = np.bincount(pair, weights=weight, minlength=len(unique_key)).astype(dtype)
        pair_weighted = np.bincount(pair, weights=weighted_rating, minlength=len(unique_key)).astype(dtype)
        return cls(
            users=(unique_key >> _KEY_BITS).astype(np.int32),
            items=(unique_key & _MAX_IDS).astype(np.int32),
            weight=pair_weight,
            weighted_rating=pair_weighted,
            sum_weighted_squares=float(sum_weighted_squares),
            n_users=n_users,
            n_items=n_items,
        )

    @classmethod
    def empty(cls, n_users, n_items, dtype):
        index = np.empty(0, dtype=np.int32)
        return cls(index, index, np.empty(0, dtype), np.empty(0, dtype), 0.0, n_users, n_items)

    @property
    def n_pairs(self):
        return len(self.users)

    def __getstate__(self):
        # The orders and keys are recomputed on demand; pickling them would double the size.
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @cached_property
    def keys(self):
        return pair_keys(self.users, self.items)

    @cached_property
    def item_order(self):
        return np.argsort(self.items, kind="stable")

    @cached_property
    def items_in_item_order(self):
        return self.items[self.item_order]

    @cached_property
    def user_indptr(self):
        return _indptr(self.users, self.n_users)

    @cached_property
    def item_indptr(self):
        return _indptr(self.items_in_item_order, self.n_items)

    def build_lookups(self):
        """Compute now the keys and item order that :meth:`find` and :meth:`positions_of` use."""
        return self.keys, self.items_in_item_order

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

    def find(self, users, items):
        """Positions of the pairs (users, items); -1 for a pair that is not here."""
        keys = pair_keys(users, items)
        if not self.n_pairs:
            return np.full(len(keys), -1)
        position = np.minimum(np.searchsorted(self.keys, keys), self.n_pairs - 1)
        return np.where(self.keys[position] == keys, position, -1)

    def positions_of(self, side, rows):
        """Positions (in user order) of the pairs of each of ``rows``, and the index in ``rows`` of each."""
        if side == "users":
            sorted_rows, order = self.users, None
        else:
            sorted_rows, order = self.items_in_item_order, self.item_order
        rows = rows.astype(sorted_rows.dtype)  # a dtype mismatch would cast the whole sorted array
        starts = np.searchsorted(sorted_rows, rows, side="left")
        stops = np.searchsorted(sorted_rows, rows, side="right")
        lengths = stops - starts
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        local_row = np.repeat(np.arange(len(rows)), lengths)
        return (positions if order is None else order[positions]), local_row


def _indptr(sorted_index, n):
    return np.concatenate([[0], np.cumsum(np.bincount(sorted_index, minlength=n))]).astype(np.int64)


@dataclass(frozen=True, eq=False)
class PairBlock:
    """The rated pairs of a few rows of one side (users, or items), gathered from a store.

    Pair ``p`` belongs to row ``row[p]`` of the block (an index into the rows asked for) and to
    ``col[p]`` of the other side. A pair stored twice (rated again after the last compaction)
    appears twice, with ``distinct`` False on the second: the squared error sums over both, the
    set of rated items counts it once. ``entry`` names each stored pair (see
    :meth:`RatingStore.pairs_at`).
    """

    row: np.ndarray
    col: np.ndarray
    weight: np.ndarray
    weighted_rating: np.ndarray
    distinct: np.ndarray
    entry: np.ndarray
    n_rows: int
    n_cols: int

    def matrix(self, values):
        """The n_rows x n_cols CSR matrix of ``values`` (one per pair; repeats are summed)."""
        return sp.csr_matrix((values, (self.row, self.col)), shape=(self.n_rows, self.n_cols))


@dataclass(frozen=True, eq=False)
class RatingStore:
    """The ratings a model has seen: the compact pairs of the last fit or merge, plus recent ones.

    ``recent_repeats[p]`` is True when recent pair ``p`` is also among the compact pairs.
    """

    compact: RatingData
    recent: RatingData
    recent_repeats: np.ndarray

    @classmethod
    def of(cls, data):
        """The store of ``data``, with the lookups of later updates computed now (so the first
        ``partial_fit`` costs what the later ones do)."""
        data.build_lookups()
        return cls(data, RatingData.empty(data.n_users, data.n_items, data.weight.dtype), np.zeros(0, bool))

    @property
    def n_users(self):
        return self.recent.n_users

    @property
    def n_items(self):
        return self.recent.n_items

    @property
    def sum_weighted_squares(self):
        return self.compact.sum_weighted_squares + self.recent.sum_weighted_squares

    def added(self, users, items, ratings, weights, n_users, n_items):
        """A store with the new ratings (ids may now run up to the new sizes)."""
        recent, compact = self.recent, self.compact
        weighted = weights * ratings
        recent = RatingData.from_sums(
            np.concatenate([recent.users, users]), np.concatenate([recent.items, items]),
            np.concatenate([recent.weight, weights]), np.concatenate([recent.weighted_rating, weighted]),
            recent.sum_weighted_squares + float(np.dot(weighted, ratings)), n_users, n_items,
        )
        if recent.n_pairs > max(4096, compact.n_pairs // 64):
            merged = RatingData.from_sums(
                np.concatenate([compact.users, recent.users]), np.concatenate([compact.items, recent.items]),
                np.concatenate([compact.weight, recent.weight]),
                np.concatenate([compact.weighted_rating, recent.weighted_rating]),
                compact.sum_weighted_squares + recent.sum_weighted_squares, n_users, n_items,
            )
            return RatingStore.of(merged)
        return RatingStore(compact, recent, compact.find(recent.users, recent.items) >= 0)

    def block(self, side, rows):
        """The :class:`PairBlock` of ``rows`` (codes of users, or of items, as ``side`` says)."""
        rows = np.asarray(rows, dtype=np.int64)
        parts = []
        for data, repeats, first_entry in ((self.compact, None, 0),
                                           (self.recent, self.recent_repeats, self.compact.n_pairs)):
            positions, local_row = data.positions_of(side, rows)
            other = data.items if side == "users" else data.users
            distinct = np.ones(len(positions), bool) if repeats is None else ~repeats[positions]
            parts.append((local_row, other[positions], data.weight[positions],
                          data.weighted_rating[positions], distinct, positions + first_entry))
        row, col, weight, weighted_rating, distinct, entry = (np.concatenate(a) for a in zip(*parts))
        n_cols = self.n_items if side == "users" else self.n_users
        return PairBlock(row, col, weight, weighted_rating, distinct, entry, len(rows), n_cols)

    def pairs_at(self, entries):
        """``(users, items, weight, weighted_rating)`` of the stored pairs named by ``entries``."""
        n_compact = self.compact.n_pairs
        in_compact = entries < n_compact
        parts = []
        for data, positions in ((self.compact, entries[in_compact]), (self.recent, entries[~in_compact] - n_compact)):
            parts.append((data.users[positions], data.items[positions], data.weight[positions],
                          data.weighted_rating[positions]))
        return tuple(np.concatenate(arrays) for arrays in zip(*parts))

    def all_pairs(self):
        """Every stored pair as ``(users, items, weight, weighted_rating)`` (repeats not merged)."""
        parts = [(d.users, d.items, d.weight, d.weighted_rating) for d in (self.compact, self.recent)]
        return tuple(np.concatenate(arrays) for arrays in zip(*parts))
