r"""Dual coordinate descent for the linear SVM (Hsieh et al., 2008; liblinear's solver), in numba.

For labels :math:`y_i \in \{-1, +1\}`, per-sample weights :math:`C_i` and the intercept folded
into :math:`w` as a constant feature :math:`B` (``intercept_scaling``), the primal problems

.. math::

    \min_w\ \tfrac12 w^\top w + \sum_i C_i \max(0, 1 - y_i w^\top x_i)
    \quad\text{(hinge)}, \qquad
    \min_w\ \tfrac12 w^\top w + \sum_i C_i \max(0, 1 - y_i w^\top x_i)^2
    \quad\text{(squared hinge)}

have the dual :math:`\min_\alpha \tfrac12\alpha^\top\bar Q\alpha - e^\top\alpha` subject to
:math:`0 \le \alpha_i \le U_i`, with :math:`\bar Q = Q + D`, :math:`Q_{ij} = y_iy_jx_i^\top x_j`,
and :math:`D_{ii} = 0`, :math:`U_i = C_i` (hinge) or :math:`D_{ii} = 1/(2C_i)`, :math:`U_i =
\infty` (squared hinge). Keeping :math:`w = \sum_i y_i\alpha_i x_i`, one coordinate costs one
sparse dot product: with :math:`G = y_iw^\top x_i - 1 + D_{ii}\alpha_i`,

.. math::

    \alpha_i \leftarrow \min(\max(\alpha_i - G / \bar Q_{ii}, 0), U_i), \qquad
    w \leftarrow w + (\alpha_i^{new} - \alpha_i) y_i x_i.

Each outer iteration visits the active coordinates in a random order. Coordinates at a bound whose
projected gradient lies beyond the previous iteration's extremes are shrunk away; the solver stops
when the spread of the projected gradient, :math:`\max PG - \min PG`, falls below ``tol`` on all
coordinates.

Reference: C.-J. Hsieh, K.-W. Chang, C.-J. Lin, S. S. Keerthi and S. Sundararajan, "A dual
coordinate descent method for large-scale linear SVM", ICML 2008.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit

_INF = np.inf
# A non-zero of a sparse row: its column and value side by side (12 bytes), as liblinear's
# feature_node, so that visiting a row in random order touches one stream of memory.
FEATURE_NODE = np.dtype([("index", np.int32), ("value", np.float64)])


def feature_nodes(X):
    """``(sparse, dense, nodes, indptr)``: the rows of X (dense, or CSR as FEATURE_NODE records)."""
    if sp.issparse(X):
        X = X.tocsr()
        nodes = np.empty(X.nnz, dtype=FEATURE_NODE)
        nodes["index"], nodes["value"] = X.indices, X.data
        return True, np.zeros((0, 0)), nodes, X.indptr.astype(np.int64)
    X = np.ascontiguousarray(X, dtype=np.float64)
    X = X if X.flags.writeable else X.copy()  # numba compiles read-only arrays separately
    return False, X, np.zeros(0, dtype=FEATURE_NODE), np.zeros(1, dtype=np.int64)


@njit(cache=True)
def _next_random(state):
    """xorshift64*: the next pseudo-random 64-bit integer (state is a one-element uint64 array)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * np.uint64(2685821657736338717)


@njit(cache=True)
def _shuffle(order, active_size, state):
    """Fisher-Yates on the first ``active_size`` entries (liblinear's per-pass random order).

    The bounded draw is Lemire's multiply-shift, which avoids an integer division per entry.
    """
    for s in range(active_size):
        r = s + int(((_next_random(state) >> np.uint64(32)) * np.uint64(active_size - s)) >> np.uint64(32))
        order[s], order[r] = order[r], order[s]


@njit(cache=True, nogil=True)
def dual_cd_solve(sparse, X, nodes, indptr, n_features, y, C, squared_hinge, bias, tol, max_iter, seed):
    """Solve the dual; returns ``(w, w_bias, alpha, n_iter)``. ``bias`` is B (0: no intercept)."""
    n = len(y)
    diagonal, upper, inverse_QD = np.zeros(n), np.empty(n), np.empty(n)
    for i in range(n):
        if squared_hinge:
            diagonal[i], upper[i] = 0.5 / C[i], _INF
        else:
            upper[i] = C[i]
        squared_norm = bias * bias
        if sparse:
            for p in range(indptr[i], indptr[i + 1]):
                squared_norm += nodes[p].value * nodes[p].value
        else:
            for f in range(n_features):
                squared_norm += X[i, f] * X[i, f]
        inverse_QD[i] = 1.0 / (diagonal[i] + squared_norm)
    w = np.zeros(n_features)
    w_bias = 0.0
    alpha = np.zeros(n)
    order = np.arange(n)
    state = np.array([np.uint64(seed) | np.uint64(1)], dtype=np.uint64)
    active_size, PG_max_old, PG_min_old = n, _INF, -_INF
    n_iter, prefetched = 0, 0.0
    while n_iter < max_iter:
        PG_max_new, PG_min_new = -_INF, _INF
        _shuffle(order, active_size, state)
        s = 0
        while s < active_size:
            i = order[s]
            if sparse and s + 2 < active_size:
                # Touch the row after next: the rows come in random order, and its load is then
                # under way while this coordinate is worked on (7-15% faster measured). The
                # values go into a sum that is returned times 0, so the loads are kept.
                ahead = order[s + 2]
                if indptr[ahead] < indptr[ahead + 1]:
                    prefetched += nodes[indptr[ahead]].value
            # The dot product and the update below are written out: a call per coordinate with
            # the arrays as arguments costs more than the work itself.
            dot = w_bias * bias
            if sparse:
                for p in range(indptr[i], indptr[i + 1]):
                    dot += nodes[p].value * w[nodes[p].index]
            else:
                for f in range(n_features):
                    dot += X[i, f] * w[f]
            G = y[i] * dot - 1.0 + alpha[i] * diagonal[i]
            PG = 0.0
            if alpha[i] == 0.0:
                if G > PG_max_old:
                    active_size -= 1
                    order[s], order[active_size] = order[active_size], order[s]
                    continue
                if G < 0.0:
                    PG = G
            elif alpha[i] == upper[i]:
                if G < PG_min_old:
                    active_size -= 1
                    order[s], order[active_size] = order[active_size], order[s]
                    continue
                if G > 0.0:
                    PG = G
            else:
                PG = G
            PG_max_new, PG_min_new = max(PG_max_new, PG), min(PG_min_new, PG)
            if abs(PG) > 1e-12:
                alpha_old = alpha[i]
                alpha[i] = min(max(alpha_old - G * inverse_QD[i], 0.0), upper[i])
                step = (alpha[i] - alpha_old) * y[i]
                if sparse:
                    for p in range(indptr[i], indptr[i + 1]):
                        w[nodes[p].index] += step * nodes[p].value
                else:
                    for f in range(n_features):
                        w[f] += step * X[i, f]
                w_bias += step * bias
            s += 1
        n_iter += 1
        if PG_max_new - PG_min_new <= tol:
            if active_size == n:
                break
            active_size, PG_max_old, PG_min_old = n, _INF, -_INF
            continue
        PG_max_old = PG_max_new if PG_max_new > 0 else _INF
        PG_min_old = PG_min_new if PG_min_new < 0 else -_INF
    return w, w_bias + 0.0 * prefetched, alpha, n_iter
