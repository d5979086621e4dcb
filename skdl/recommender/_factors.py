r"""The parameters of the model and its prediction :math:`\hat r_{ui} = \mu + b_u + c_i + x_i^\top p_u`.

:math:`p_u = \theta_u` in the course's model; with implicit feedback (SVD++)
:math:`p_u = \theta_u + z_u`, where :math:`z_u = |N(u)|^{-1/2}\sum_{j \in N(u)} y_j` sums the
"rated" factors :math:`y_j` of the items :math:`N(u)` the user rated. :math:`z_u` is kept beside
the parameters (``implicit_user``) because it is needed wherever :math:`p_u` is.
"""

from dataclasses import dataclass
from typing import Optional

import numpy as np

_INIT_SCALE = 0.1


@dataclass
class Factors:
    """:math:`\\Theta`, :math:`X`, the biases :math:`b, c` and the implicit :math:`Y, Z` (or None)."""

    user: np.ndarray
    item: np.ndarray
    user_bias: Optional[np.ndarray] = None
    item_bias: Optional[np.ndarray] = None
    implicit: Optional[np.ndarray] = None
    implicit_user: Optional[np.ndarray] = None

    @classmethod
    def initial(cls, rng, n_users, n_items, k, *, biases, implicit, dtype):
        """Small random factors, zero biases and zero implicit factors (so :math:`z_u = 0`)."""
        user = (_INIT_SCALE * rng.standard_normal((n_users, k))).astype(dtype)
        item = (_INIT_SCALE * rng.standard_normal((n_items, k))).astype(dtype)
        zeros = np.zeros
        return cls(
            user, item,
            zeros(n_users, dtype) if biases else None, zeros(n_items, dtype) if biases else None,
            zeros((n_items, k), dtype) if implicit else None, zeros((n_users, k), dtype) if implicit else None,
        )

    @property
    def biases(self):
        return self.user_bias is not None

    @property
    def has_implicit(self):
        return self.implicit is not None

    def user_vectors(self, users=slice(None)):
        r""":math:`p_u`, the vectors that meet the item factors (of all users, or of ``users``)."""
        if self.implicit_user is None:
            return self.user[users]
        return self.user[users] + self.implicit_user[users]

    def predict_pairs(self, users, items, mu):
        r""":math:`\hat r` of the given (user, item) pairs, not clipped."""
        prediction = pair_dot(self.user, self.item, users, items)
        if self.implicit_user is not None:
            prediction += pair_dot(self.implicit_user, self.item, users, items)
        prediction += mu
        if self.biases:
            prediction += self.user_bias[users] + self.item_bias[items]
        return prediction

    def penalty(self, alpha, alpha_implicit):
        r""":math:`\tfrac{\alpha}{2}(\lVert\Theta\rVert^2 + \lVert X\rVert^2 + \lVert b\rVert^2 +
        \lVert c\rVert^2) + \tfrac{\alpha_y}{2}\lVert Y\rVert^2`."""
        explicit = [self.user, self.item, self.user_bias, self.item_bias]
        value = 0.5 * alpha * sum(_squared_norm(a) for a in explicit if a is not None)
        if self.has_implicit:
            value += 0.5 * alpha_implicit * _squared_norm(self.implicit)
        return value

    def grown(self, n_users, n_items):
        """The factors with zero rows for users and items beyond the current ones.

        Arrays that need no new rows are shared, not copied.
        """
        def users(a):
            return None if a is None else _grow(a, n_users)

        def items(a):
            return None if a is None else _grow(a, n_items)

        return Factors(users(self.user), items(self.item), users(self.user_bias), items(self.item_bias),
                       items(self.implicit), users(self.implicit_user))

    def set_rows(self, side, rows, factors, bias, implicit_user=None):
        """Write rows ``rows`` of one side's factors (and bias, and :math:`z_u`), in place."""
        if side == "users":
            self.user[rows] = factors
            if implicit_user is not None:
                self.implicit_user[rows] = implicit_user
        else:
            self.item[rows] = factors
        if bias is not None:
            (self.user_bias if side == "users" else self.item_bias)[rows] = bias

    def astype(self, dtype):
        def cast(a):
            return None if a is None else a.astype(dtype, copy=False)

        return Factors(*(cast(getattr(self, name)) for name in
                         ("user", "item", "user_bias", "item_bias", "implicit", "implicit_user")))


def pair_dot(left, right, left_index, right_index, chunk=1 << 18):
    """``sum(left[left_index] * right[right_index], axis=1)``, in chunks to bound memory."""
    out = np.empty(len(left_index), dtype=np.result_type(left, right))
    for start in range(0, len(left_index), chunk):
        stop = start + chunk
        out[start:stop] = np.einsum("ij,ij->i", left[left_index[start:stop]], right[right_index[start:stop]])
    return out


def _squared_norm(array):
    return float(np.vdot(array, array))


def _grow(array, n):
    if len(array) == n:
        return array
    grown = np.zeros((n,) + array.shape[1:], dtype=array.dtype)
    grown[: len(array)] = array
    return grown
