r"""Implicit feedback (SVD++): which items a user rated, as a second part of the user's vector.

In Koren's SVD++ the user's vector is :math:`p_u = \theta_u + z_u` with
:math:`z_u = |N(u)|^{-1/2}\sum_{j\in N(u)} y_j`, :math:`N(u)` the items the user rated and
:math:`y_j` an item's "rated" factors. For all users at once :math:`Z = S\,Y`, with :math:`S` the
users x items matrix holding :math:`|N(u)|^{-1/2}` at each rated pair.

With :math:`\Theta, b, X, c` fixed the cost is a quadratic in :math:`Y`:

.. math::

    J(Y) = \tfrac12 \sum_u \big(z_u^\top A_u z_u - 2 z_u^\top g_u\big) + \tfrac{\alpha_y}{2}\lVert Y\rVert^2
           + \text{const}, \qquad z = S\,Y,

where :math:`A_u = \sum_i W_{ui} x_i x_i^\top` (the Gram matrix of the user's ALS solve, without
the penalty) and :math:`g_u = \sum_i W_{ui} e_{ui} x_i` with :math:`e_{ui}` the residual of the
explicit model, :math:`\bar y_{ui} - \mu - b_u - c_i - x_i^\top\theta_u`. Its gradient is
:math:`S^\top(A z - g) + \alpha_y Y` and its Hessian :math:`V \mapsto S^\top A\,(S V) + \alpha_y V` is
positive definite, so conjugate-gradient steps from the current :math:`Y` can only lower
:math:`J`. The Hessian couples every item a user rated, so :math:`Y` is not solved row by row: a
few CG steps per ALS sweep, each two sparse products and one batched k x k product, are enough.
"""

import numpy as np
import scipy.sparse as sp


def implicit_matrix(rows, cols, n_rows, n_cols, dtype):
    r""":math:`S`: :math:`|N(u)|^{-1/2}` at each distinct (row, col) pair given (each pair once)."""
    count = np.bincount(rows, minlength=n_rows)
    values = (1.0 / np.sqrt(count[rows])).astype(dtype)
    return sp.csr_matrix((values, (rows, cols)), shape=(n_rows, n_cols))


def implicit_step(S, S_T, A, g, Y, alpha_implicit, n_steps):
    r"""``n_steps`` conjugate-gradient steps on :math:`J(Y)` (module docstring) from ``Y``.

    Parameters
    ----------
    S, S_T : sparse matrices of shape (n_users, n_items) and (n_items, n_users)
    A : ndarray of shape (n_users, k, k)
    g : ndarray of shape (n_users, k)
    Y : ndarray of shape (n_items, k)
    alpha_implicit : float
    n_steps : int

    Returns
    -------
    Y : ndarray of shape (n_items, k)
        A new array.
    """

    def hessian_times(V):
        return np.asarray(S_T @ (A @ np.asarray(S @ V)[..., None])[..., 0]) + alpha_implicit * V

    residual = np.asarray(S_T @ g) - hessian_times(Y)  # minus the gradient
    direction = residual.copy()
    residual_norm = float(np.vdot(residual, residual))
    Y = Y.copy()
    for _ in range(n_steps):
        if residual_norm == 0.0:
            break
        curvature = hessian_times(direction)
        step = residual_norm / float(np.vdot(direction, curvature))
        Y += step * direction
        residual -= step * curvature
        new_norm = float(np.vdot(residual, residual))
        direction = residual + (new_norm / residual_norm) * direction
        residual_norm = new_norm
    return Y
