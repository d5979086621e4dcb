r"""Sequential minimal optimisation (SMO) of the C-SVM dual, with libsvm's rules, in numba.

The solver minimises the dual of the soft-margin SVM for labels :math:`y_i \in \{-1, +1\}`,

.. math::

    \min_\alpha\ f(\alpha) = \tfrac12 \alpha^\top Q \alpha - e^\top\alpha
    \quad\text{s.t.}\quad y^\top\alpha = 0,\quad 0 \le \alpha_i \le C_i,
    \qquad Q_{ij} = y_i y_j K(x_i, x_j),

two coordinates at a time. With the gradient :math:`G = Q\alpha - e`, the sets
:math:`I_{up} = \{t : \alpha_t < C_t, y_t = 1\} \cup \{t : \alpha_t > 0, y_t = -1\}` and
:math:`I_{low}` (the same with the roles of the bounds exchanged), the working set is chosen by the
second-order rule of Fan, Chen and Lin (2005):

.. math::

    i = \arg\max_{t \in I_{up}} -y_t G_t, \qquad
    j = \arg\min_{t \in I_{low},\ -y_t G_t < -y_i G_i}
        -\frac{b_{it}^2}{a_{it}},\quad
    b_{it} = -y_i G_i + y_t G_t,\ a_{it} = K_{ii} + K_{tt} - 2K_{it}

(:math:`a_{it}` replaced by :math:`\tau = 10^{-12}` when not positive). The pair moves along
:math:`y_i\alpha_i + y_j\alpha_j = \text{const}` to the minimum of :math:`f` on that line, clipped
to the box, and :math:`G` is updated with the two kernel rows: :math:`G \mathrel{+}=
Q_{:i}\Delta\alpha_i + Q_{:j}\Delta\alpha_j`. The solver stops when the maximal violation of the
KKT conditions, :math:`m(\alpha) - M(\alpha) = \max_{I_{up}} -y_tG_t - \min_{I_{low}} -y_tG_t`,
falls below ``tol``.

Shrinking (Joachims 1999; libsvm's variant) sets aside the variables at a bound whose gradient
says they will stay there, so that the selection and the gradient update run over the active
ones only; before stopping, the full gradient is rebuilt from :math:`\bar G_t = \sum_{s : \alpha_s =
C_s} C_s Q_{ts}` and the free variables, and the test is repeated on all of them. Variables are
kept in a permuted order with the active ones first, so the active set is a prefix.

The rows of :math:`Q` come from :mod:`skdl.svm._kernel_rows`: an LRU cache of rows computed on
demand, each valid up to a prefix length (the active set rarely needs a whole row), or holding
every row of a given Gram matrix.

The entry points release the GIL, so that fits in threads (``GridSearchCV`` with a threading
backend) run in parallel.

The intercept is :math:`-\rho` with :math:`\rho` the mean of :math:`y_tG_t` over the free
variables (the midpoint of the feasible interval when there are none), as in libsvm.

References: R.-E. Fan, P.-H. Chen and C.-J. Lin, "Working set selection using second order
information for training support vector machines", JMLR 6, 2005; C.-C. Chang and C.-J. Lin,
"LIBSVM: a library for support vector machines", ACM TIST 2(3), 2011; J. Platt, "Fast training of
support vector machines using sequential minimal optimization", 1998.
"""

import numpy as np
from numba import njit

from ._kernel_rows import get_row, swap_cached

_TAU = 1e-12
_INF = np.inf
_LOWER, _UPPER, _FREE = 0, 1, 2


# --- the solver ------------------------------------------------------------------------------


@njit(cache=True)
def _status(alpha, C):
    if alpha >= C:
        return _UPPER
    if alpha <= 0:
        return _LOWER
    return _FREE


@njit(cache=True)
def _swap(a, i, j):
    a[i], a[j] = a[j], a[i]


@njit(cache=True)
def _swap_index(state, cache, i, j):
    y, alpha, G, G_bar, C, QD, status, perm = state
    _swap(y, i, j)
    _swap(alpha, i, j)
    _swap(G, i, j)
    _swap(G_bar, i, j)
    _swap(C, i, j)
    _swap(QD, i, j)
    _swap(status, i, j)
    _swap(perm, i, j)
    swap_cached(cache, i, j)


@njit(cache=True)
def _max_violator(state, active_size):
    r""":math:`i = \arg\max_{t \in I_{up}} -y_tG_t` (the last one on ties, as libsvm) and its value."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    G_max, i = -_INF, -1
    for t in range(active_size):
        if status[t] != (_UPPER if y[t] > 0 else _LOWER) and -y[t] * G[t] >= G_max:
            G_max, i = -y[t] * G[t], t
    return i, G_max


@njit(cache=True)
def _second_order_partner(state, Q_i, i, G_max, active_size, tol):
    """Fan, Chen and Lin's :math:`j` for :math:`i`; -1 when the KKT gap is below ``tol``."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    G_max2, j, best = -_INF, -1, _INF
    two_y_i = 2.0 * y[i]
    for t in range(active_size):
        if status[t] == (_LOWER if y[t] > 0 else _UPPER):
            continue
        yG = y[t] * G[t]
        G_max2 = max(G_max2, yG)
        gain = G_max + yG
        if gain > 0:
            curvature = QD[i] + QD[t] - two_y_i * y[t] * Q_i[t]
            decrease = -gain * gain / (curvature if curvature > 0 else _TAU)
            if decrease <= best:
                best, j = decrease, t
    if G_max + G_max2 < tol:
        return -1
    return j


@njit(cache=True)
def _update_gradient(state, Q_i, Q_j, delta_i, delta_j, active_size):
    r""":math:`G \mathrel{+}= Q_{:i}\Delta\alpha_i + Q_{:j}\Delta\alpha_j`, finding the next
    :math:`i` in the same pass (the statuses are already up to date)."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    G_max, i = -_INF, -1
    for t in range(active_size):
        G[t] += Q_i[t] * delta_i + Q_j[t] * delta_j
        if status[t] != (_UPPER if y[t] > 0 else _LOWER) and -y[t] * G[t] >= G_max:
            G_max, i = -y[t] * G[t], t
    return i, G_max


@njit(cache=True)
def _step_pair(state, Q_i, Q_j, i, j):
    """Minimise f along the pair's feasible line, clip to the box; return the two changes."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    old_i, old_j = alpha[i], alpha[j]
    C_i, C_j = C[i], C[j]
    if y[i] != y[j]:
        curvature = QD[i] + QD[j] + 2.0 * Q_i[j]
        delta = (-G[i] - G[j]) / (curvature if curvature > 0 else _TAU)
        diff = old_i - old_j
        a_i, a_j = old_i + delta, old_j + delta
        if diff > 0:
            if a_j < 0:
                a_j, a_i = 0.0, diff
        elif a_i < 0:
            a_i, a_j = 0.0, -diff
        if diff > C_i - C_j:
            if a_i > C_i:
                a_i, a_j = C_i, C_i - diff
        elif a_j > C_j:
            a_j, a_i = C_j, C_j + diff
    else:
        curvature = QD[i] + QD[j] - 2.0 * Q_i[j]
        delta = (G[i] - G[j]) / (curvature if curvature > 0 else _TAU)
        total = old_i + old_j
        a_i, a_j = old_i - delta, old_j + delta
        if total > C_i:
            if a_i > C_i:
                a_i, a_j = C_i, total - C_i
        elif a_j < 0:
            a_j, a_i = 0.0, total
        if total > C_j:
            if a_j > C_j:
                a_j, a_i = C_j, total - C_j
        elif a_i < 0:
            a_i, a_j = 0.0, total
    alpha[i], alpha[j] = a_i, a_j
    return a_i - old_i, a_j - old_j


@njit(cache=True)
def _update_G_bar(state, cache, kernel, rows, t, was_upper, n):
    """Keep :math:`\\bar G` in step when variable ``t`` reaches or leaves its upper bound."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    is_upper = status[t] == _UPPER
    if was_upper == is_upper:
        return
    Q_t = get_row(cache, kernel, rows, y, perm, t, n)
    sign = 1.0 if is_upper else -1.0
    for k in range(n):
        G_bar[k] += sign * C[t] * Q_t[k]


@njit(cache=True)
def _reconstruct_gradient(state, cache, kernel, rows, active_size):
    """The gradient of the shrunk variables, from :math:`\\bar G` and the free active ones."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    n = len(alpha)
    if active_size == n:
        return
    for k in range(active_size, n):
        G[k] = G_bar[k] - 1.0
    n_free = 0
    for k in range(active_size):
        if status[k] == _FREE:
            n_free += 1
    # Use whichever rows are cheaper: one short row per shrunk variable, or one long row per free one.
    if n_free * n > 2 * active_size * (n - active_size):
        for s in range(active_size, n):
            Q_s = get_row(cache, kernel, rows, y, perm, s, active_size)
            for k in range(active_size):
                if status[k] == _FREE:
                    G[s] += alpha[k] * Q_s[k]
    else:
        for k in range(active_size):
            if status[k] == _FREE:
                Q_k = get_row(cache, kernel, rows, y, perm, k, n)
                for s in range(active_size, n):
                    G[s] += alpha[k] * Q_k[s]


@njit(cache=True)
def _violations(state, active_size):
    """:math:`\\max_{I_{up}} -y_tG_t` and :math:`\\max_{I_{low}} y_tG_t` over the active set."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    G_max1, G_max2 = -_INF, -_INF
    for t in range(active_size):
        up, low = status[t] != _UPPER, status[t] != _LOWER
        if y[t] > 0:
            if up:
                G_max1 = max(G_max1, -G[t])
            if low:
                G_max2 = max(G_max2, G[t])
        else:
            if up:
                G_max2 = max(G_max2, -G[t])
            if low:
                G_max1 = max(G_max1, G[t])
    return G_max1, G_max2


@njit(cache=True)
def _be_shrunk(state, t, G_max1, G_max2):
    y, alpha, G, G_bar, C, QD, status, perm = state
    if status[t] == _UPPER:
        return -G[t] > (G_max1 if y[t] > 0 else G_max2)
    if status[t] == _LOWER:
        return G[t] > (G_max2 if y[t] > 0 else G_max1)
    return False


@njit(cache=True)
def _shrink(state, cache, kernel, rows, active_size, unshrunk, tol):
    """Move the variables stuck at a bound behind the active prefix; returns the new size."""
    n = len(state[1])
    G_max1, G_max2 = _violations(state, active_size)
    if not unshrunk[0] and G_max1 + G_max2 <= 10.0 * tol:
        # Close to the end: bring every variable back once, with its exact gradient.
        unshrunk[0] = True
        _reconstruct_gradient(state, cache, kernel, rows, active_size)
        active_size = n
    t = 0
    while t < active_size:
        if _be_shrunk(state, t, G_max1, G_max2):
            active_size -= 1
            while active_size > t:
                if not _be_shrunk(state, active_size, G_max1, G_max2):
                    _swap_index(state, cache, t, active_size)
                    break
                active_size -= 1
        t += 1
    return active_size


@njit(cache=True)
def _rho(state):
    """:math:`\\rho`: the mean of :math:`y_tG_t` over the free variables (libsvm's rule)."""
    y, alpha, G, G_bar, C, QD, status, perm = state
    upper, lower, total, n_free = _INF, -_INF, 0.0, 0
    for t in range(len(alpha)):
        yG = y[t] * G[t]
        if status[t] == _FREE:
            total += yG
            n_free += 1
        elif (status[t] == _UPPER) == (y[t] < 0):
            upper = min(upper, yG)
        else:
            lower = max(lower, yG)
    return total / n_free if n_free > 0 else 0.5 * (upper + lower)


@njit(cache=True, nogil=True)
def smo_solve(kernel, cache, rows, y, C, QD, tol, max_iter, shrinking):
    """Solve the dual for the sub-problem ``X[rows]`` with labels ``y`` (+-1) and bounds ``C``.

    Returns ``(alpha, rho, objective, n_iter, reached_max_iter)``, ``alpha`` in the order of
    ``rows``.
    """
    n = len(y)
    y, C, QD = y.copy(), C.copy(), QD.copy()
    alpha = np.zeros(n)
    G = -np.ones(n)
    G_bar = np.zeros(n)
    status = np.zeros(n, dtype=np.int8)
    for t in range(n):
        status[t] = _status(0.0, C[t])
    perm = np.arange(n)
    state = (y, alpha, G, G_bar, C, QD, status, perm)
    active_size, unshrunk = n, np.zeros(1, dtype=np.bool_)
    n_iter, counter = 0, min(n, 1000) + 1
    reached_max_iter = False
    i, G_max = _max_violator(state, active_size)
    while True:
        if max_iter >= 0 and n_iter >= max_iter:
            reached_max_iter = True
            break
        counter -= 1
        if counter == 0:
            counter = min(n, 1000)
            if shrinking:
                active_size = _shrink(state, cache, kernel, rows, active_size, unshrunk, tol)
                i, G_max = _max_violator(state, active_size)
        j = -1
        if i >= 0:
            Q_i = get_row(cache, kernel, rows, y, perm, i, active_size)
            j = _second_order_partner(state, Q_i, i, G_max, active_size, tol)
        if j < 0:
            _reconstruct_gradient(state, cache, kernel, rows, active_size)
            active_size = n
            i, G_max = _max_violator(state, active_size)
            if i >= 0:
                Q_i = get_row(cache, kernel, rows, y, perm, i, active_size)
                j = _second_order_partner(state, Q_i, i, G_max, active_size, tol)
            if j < 0:
                break
            counter = 1  # shrink again at the next iteration
        n_iter += 1
        Q_i = get_row(cache, kernel, rows, y, perm, i, active_size)
        Q_j = get_row(cache, kernel, rows, y, perm, j, active_size)
        delta_i, delta_j = _step_pair(state, Q_i, Q_j, i, j)
        was_upper_i, was_upper_j = status[i] == _UPPER, status[j] == _UPPER
        status[i], status[j] = _status(alpha[i], C[i]), _status(alpha[j], C[j])
        next_i, next_G_max = _update_gradient(state, Q_i, Q_j, delta_i, delta_j, active_size)
        _update_G_bar(state, cache, kernel, rows, i, was_upper_i, n)
        _update_G_bar(state, cache, kernel, rows, j, was_upper_j, n)
        i, G_max = next_i, next_G_max
    if active_size < n:
        _reconstruct_gradient(state, cache, kernel, rows, active_size)
    rho = _rho(state)
    objective = 0.0
    for t in range(n):
        objective += alpha[t] * (G[t] - 1.0)
    alpha_in_order = np.empty(n)
    alpha_in_order[perm] = alpha
    return alpha_in_order, rho, 0.5 * objective, n_iter, reached_max_iter
