r"""Alternating least squares: every user's (or item's) ridge problem solved at once.

With the item side fixed, the objective separates into one ridge regression per user,

.. math:: \min_{x_u}\ \tfrac12 \sum_i W_{ui} (t_{ui} - f_i^\top x_u)^2 + \tfrac{\alpha}{2}\lVert x_u\rVert^2
          \quad\Longrightarrow\quad
          \Big(\sum_i W_{ui} f_i f_i^\top + \alpha I\Big) x_u = \sum_i f_i\,(W t)_{ui}.

The left-hand sides of all users are one sparse product: the users x items matrix of weights
times the items x k(k+1)/2 matrix of the upper triangles of :math:`f_i f_i^\top`; the right-hand
sides are the sparse matrix of weighted targets times the item features. One batched LAPACK
solve then gives every :math:`x_u`; there is no Python loop over users.
"""

import numpy as np


def gram_triangles(features):
    r"""The upper triangle of :math:`f f^\top` for each row ``f`` of ``features``, flattened.

    Returns ``(triangles, (rows, cols))`` with ``triangles`` of shape (n, k(k+1)/2).
    """
    rows, cols = np.triu_indices(features.shape[1])
    return features[:, rows] * features[:, cols], (rows, cols)


def solve_ridge_rows(weight_matrix, target_matrix, features, alpha):
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

    Returns
    -------
    solution : ndarray of shape (n_rows, k)
    explained : float
        :math:`\sum_r x_r^\top \mathrm{rhs}_r + \alpha\lVert x\rVert^2`. Since
        :math:`x^\top G x = x^\top \mathrm{rhs}` at the solution, the weighted squared error is
        :math:`\sum W t^2 - \text{explained}`: the cost comes with the solve, at no extra pass.
    """
    k = features.shape[1]
    triangles, (rows, cols) = gram_triangles(features)
    gram_upper = np.asarray(weight_matrix @ triangles)
    gram = np.empty((gram_upper.shape[0], k, k), dtype=features.dtype)
    gram[:, rows, cols] = gram_upper
    gram[:, cols, rows] = gram_upper
    gram[:, np.arange(k), np.arange(k)] += alpha
    rhs = np.asarray(target_matrix @ features)
    solution = np.linalg.solve(gram, rhs[..., None])[..., 0]
    explained = float(np.vdot(solution, rhs)) + alpha * float(np.vdot(solution, solution))
    return solution, explained


def pair_dot(left, right, left_index, right_index, chunk=1 << 18):
    """``sum(left[left_index] * right[right_index], axis=1)``, in chunks to bound memory."""
    out = np.empty(len(left_index), dtype=np.result_type(left, right))
    for start in range(0, len(left_index), chunk):
        stop = start + chunk
        out[start:stop] = np.einsum(
            "ij,ij->i", left[left_index[start:stop]], right[right_index[start:stop]]
        )
    return out


def with_ones(factors):
    """``[factors, 1]``: the constant column whose coefficient is the bias of the other side."""
    return np.hstack([factors, np.ones((len(factors), 1), dtype=factors.dtype)])


def als_half_step(data, solve_for, fixed_factors, fixed_bias, mu, alpha, rows=None):
    r"""Solve one side's factors (and biases) with the other side fixed: half an ALS sweep.

    Parameters
    ----------
    data : RatingData
    solve_for : {"users", "items"}
        The side solved; the other is fixed.
    fixed_factors : ndarray of shape (n_fixed, k)
    fixed_bias : ndarray of shape (n_fixed,) or None
        The fixed side's biases; ``None`` fits no biases.
    mu : float
    alpha : float
    rows : ndarray of int or None
        Solve only these users (items); ``None`` solves all.

    Returns
    -------
    factors : ndarray of shape (n_rows, k)
    bias : ndarray of shape (n_rows,) or None
    squared_error : float
        The weighted sum of squared errors :math:`\sum w (y - \hat y)^2` over all ratings after
        the solve (meaningful only when ``rows`` is None).
    """
    by_row, fixed_index = (data.by_user, data.items) if solve_for == "users" else (data.by_item, data.users)
    biases = fixed_bias is not None
    offset = mu + fixed_bias[fixed_index] if biases else np.full(data.n_pairs, mu, data.weight.dtype)
    target = data.weighted_rating - data.weight * offset
    weights, targets = by_row(data.weight), by_row(target)
    if rows is not None:
        weights, targets = weights[rows], targets[rows]
    solution, explained = solve_ridge_rows(
        weights, targets, with_ones(fixed_factors) if biases else fixed_factors, alpha
    )
    # sum w (y - offset)^2 over the ratings, from the pair sums.
    total = data.sum_weighted_squares - float(np.dot(offset, 2 * data.weighted_rating - data.weight * offset))
    squared_error = total - explained
    if not biases:
        return solution, None, squared_error
    return np.ascontiguousarray(solution[:, :-1]), solution[:, -1].copy(), squared_error
