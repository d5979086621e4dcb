r"""Alternating least squares: every user's (or item's) ridge problem solved at once.

With the item side fixed, the objective separates into one ridge regression per user,

.. math:: \min_{x_u}\ \tfrac12 \sum_i W_{ui} (t_{ui} - f_i^\top x_u)^2 + \tfrac{\alpha}{2}\lVert x_u\rVert^2
          \quad\Longrightarrow\quad
          \Big(\sum_i W_{ui} f_i f_i^\top + \alpha I\Big) x_u = \sum_i f_i\,(W t)_{ui}.

The left-hand sides of all users are one sparse product: the users x items matrix of weights
times the items x k(k+1)/2 matrix of the upper triangles of :math:`f_i f_i^\top`; the right-hand
sides are the sparse matrix of weighted targets times the item features. One batched LAPACK
solve then gives every :math:`x_u`; there is no Python loop over users. With ``n_threads > 1``
blocks of rows are solved in threads (numpy and scipy release the GIL in these kernels).
"""

from typing import NamedTuple

import numpy as np

from ..utils._threads import map_in_threads, row_blocks
from ._implicit import implicit_step


def gram_triangles(features):
    r"""The upper triangle of :math:`f f^\top` for each row ``f`` of ``features``, flattened.

    Returns ``(triangles, (rows, cols))`` with ``triangles`` of shape (n, k(k+1)/2).
    """
    rows, cols = np.triu_indices(features.shape[1])
    return features[:, rows] * features[:, cols], (rows, cols)


def gram_stack(weight_matrix, features):
    r""":math:`G_r = \sum_j W_{rj} f_j f_j^\top` for every row r, shape (n_rows, k, k)."""
    k = features.shape[1]
    triangles, (rows, cols) = gram_triangles(features)
    upper = np.asarray(weight_matrix @ triangles)
    gram = np.empty((upper.shape[0], k, k), dtype=features.dtype)
    gram[:, rows, cols] = upper
    gram[:, cols, rows] = upper
    return gram


class RidgeSolution(NamedTuple):
    """What :func:`solve_ridge_rows` returns (see there)."""

    solution: np.ndarray
    system: np.ndarray
    rhs: np.ndarray
    explained: float


def solve_ridge_rows(weight_matrix, target_matrix, features, alpha, n_threads=1, shift=None):
    r"""Solve :math:`(\sum_j W_{rj} f_j f_j^\top + \alpha I)\,x_r = \sum_j (Wt)_{rj} f_j` for every row r.

    Parameters
    ----------
    weight_matrix : sparse matrix of shape (n_rows, n_cols)
        The summed weights :math:`W_{rj}` of the observed pairs.
    target_matrix : sparse matrix of shape (n_rows, n_cols)
        :math:`W_{rj} t_{rj}` with the same sparsity structure.
    features : ndarray of shape (n_cols, k)
        The fixed side :math:`f_j`.
    alpha : float
        The ridge penalty, > 0 so that rows without ratings get :math:`x_r = 0`.
    n_threads : int, default=1
        Solve blocks of rows in this many threads.
    shift : ndarray of shape (n_rows, m) or None
        Solve as if every target were :math:`t_{rj} - f_{j,1..m}^\top s_r`: the right-hand sides
        lose :math:`G_{r,:,1..m}\,s_r`, with no pass over the pairs (SVD++ uses it for
        :math:`x_i^\top z_u`).

    Returns
    -------
    RidgeSolution
        ``solution`` (n_rows, k); ``system`` (n_rows, k, k), the matrices :math:`G_r + \alpha I`;
        ``rhs`` (n_rows, k); and ``explained``,
        :math:`\sum_r x_r^\top \mathrm{rhs}_r + \alpha\lVert x\rVert^2`. Since
        :math:`x^\top G x = x^\top \mathrm{rhs}` at the solution, the weighted squared error is
        :math:`\sum W t^2 - \text{explained}`: the cost comes with the solve, at no extra pass.
    """
    n_rows, k = weight_matrix.shape[0], features.shape[1]

    def solve_block(block):
        system = gram_stack(weight_matrix[block], features)
        rhs = np.asarray(target_matrix[block] @ features)
        if shift is not None:
            m = shift.shape[1]
            rhs -= (system[:, :, :m] @ shift[block][..., None])[..., 0]
        system[:, np.arange(k), np.arange(k)] += alpha
        return _solve_spd(system, rhs), system, rhs

    blocks = row_blocks(n_rows, n_threads) if n_threads > 1 else [slice(0, n_rows)]
    parts = map_in_threads(solve_block, blocks, max_threads=n_threads)
    solution, system, rhs = (np.concatenate(arrays) if len(parts) > 1 else arrays[0] for arrays in zip(*parts))
    explained = float(np.vdot(solution, rhs)) + alpha * float(np.vdot(solution, solution))
    return RidgeSolution(solution, system, rhs, explained)


def _solve_spd(system, rhs):
    """Batched solve of the positive definite ``system``; the min-norm solution where it fails.

    LU fails only when the penalty is negligible beside the Gram matrix in floating point
    (ratings on a scale of 1e12 and beyond, with few ratings per row): the ridge solution is then
    its limit as the penalty goes to 0, the pseudo-inverse's.
    """
    try:
        return np.linalg.solve(system, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(system, hermitian=True) @ rhs[..., None])[..., 0]


def with_ones(factors):
    """``[factors, 1]``: the constant column whose coefficient is the bias of the other side."""
    return np.hstack([factors, np.ones((len(factors), 1), dtype=factors.dtype)])


def features_of(factors, biases):
    """The fixed side's features: its factors, with the constant column when biases are learned."""
    return with_ones(factors) if biases else factors


def split_bias(solution, biases):
    """``(factors, bias)`` from the solved ``[factors, bias]`` rows (bias None without biases)."""
    if not biases:
        return solution, None
    return np.ascontiguousarray(solution[:, :-1]), solution[:, -1].copy()


def als_sweep(data, factors, mu, alpha, *, implicit=None, n_threads=1):
    r"""One sweep: all users against the items, then (SVD++) the implicit factors, then all items.

    Parameters
    ----------
    data : RatingData
    factors : Factors
        The current parameters (not modified).
    mu, alpha : float
    implicit : tuple or None
        ``(S, S_transposed, alpha_implicit, n_cg_steps)`` for the implicit model, where ``S`` is
        the users x items matrix of :math:`|N(u)|^{-1/2}` at the rated pairs.
    n_threads : int

    Returns
    -------
    factors : Factors
    cost : float
        :math:`J` at the new parameters (from the item solve, at no extra pass).
    """
    users, items, weight = data.users, data.items, data.weight
    f, biases = factors, factors.biases
    offset = mu + f.item_bias[items] if biases else np.full(data.n_pairs, mu, weight.dtype)
    users_solved = solve_ridge_rows(
        data.by_user(weight), data.by_user(data.weighted_rating - weight * offset), features_of(f.item, biases),
        alpha, n_threads, shift=f.implicit_user,
    )
    user, user_bias = split_bias(users_solved.solution, biases)
    implicit_factors, implicit_user = None, None
    if implicit is not None:
        S, S_T, alpha_implicit, n_steps = implicit
        item_gram, residual = _explicit_residual_moments(users_solved, user, user_bias, f.implicit_user, alpha)
        implicit_factors = implicit_step(S, S_T, item_gram, residual, f.implicit, alpha_implicit, n_steps)
        implicit_user = np.asarray(S @ implicit_factors)
    vectors = user if implicit_user is None else user + implicit_user
    offset = mu + user_bias[users] if biases else np.full(data.n_pairs, mu, weight.dtype)
    items_solved = solve_ridge_rows(
        data.by_item(weight), data.by_item(data.weighted_rating - weight * offset),
        features_of(vectors, biases), alpha, n_threads,
    )
    item, item_bias = split_bias(items_solved.solution, biases)
    new = type(f)(user, item, user_bias, item_bias, implicit_factors, implicit_user)
    # sum w (y - offset)^2 over the ratings, from the pair sums, minus what the solve explained.
    squared_error = (
        data.sum_weighted_squares
        - float(np.dot(offset, 2 * data.weighted_rating - weight * offset)) - items_solved.explained
    )
    alpha_implicit = implicit[2] if implicit is not None else 0.0
    return new, 0.5 * squared_error + new.penalty(alpha, alpha_implicit)


def _explicit_residual_moments(solved, user, user_bias, implicit_user, alpha):
    r""":math:`A_u = \sum_i W x_i x_i^\top` and :math:`g_u = \sum_i W e_{ui} x_i` from the users' solve.

    :math:`e_{ui} = \bar y_{ui} - \mu - b_u - c_i - x_i^\top\theta_u`. The solve had the
    right-hand sides :math:`\sum_i W(\bar y - \mu - c_i)x_i - A_u z_u` and, with biases, the
    Gram matrix's last column :math:`\sum_i W x_i`; so
    :math:`g_u = \mathrm{rhs}_u + A_u(z_u - \theta_u) - b_u \sum_i W x_i`, with no pass over the pairs.
    """
    k = user.shape[1]
    item_gram = solved.system[:, :k, :k].copy()
    item_gram[:, np.arange(k), np.arange(k)] -= alpha
    residual = solved.rhs[:, :k] + (item_gram @ (implicit_user - user)[..., None])[..., 0]
    if user_bias is not None:
        residual -= user_bias[:, None] * solved.system[:, :k, k]
    return item_gram, residual
