r"""Class probabilities for the SVM: Platt scaling on cross-validated decision values, coupled.

For each pair of classes, the decision values :math:`f_s` of held-out samples (five-fold
cross-validation on the pair's training data) are mapped to probabilities with Platt's sigmoid

.. math::

    P(y = +1 \mid f) = \frac{1}{1 + e^{A f + B}},

:math:`(A, B)` minimising the cross-entropy against Platt's regularised targets
:math:`t_+ = (N_+ + 1) / (N_+ + 2)`, :math:`t_- = 1 / (N_- + 2)`, by Newton's method with a
backtracking line search (Lin, Lin and Weng, 2007). With more than two classes the pairwise
probabilities :math:`r_{ij} = P(i \mid i \text{ or } j)` are coupled into one distribution by
method 2 of Wu, Lin and Weng (2004),

.. math::

    \min_p\ \sum_i \sum_{j \ne i} (r_{ji} p_i - r_{ij} p_j)^2
    \quad\text{s.t.}\quad \textstyle\sum_i p_i = 1,

whose solution is :math:`p = Q^{-1}e / e^\top Q^{-1} e` with :math:`Q_{ii} = \sum_{j\ne i}
r_{ji}^2`, :math:`Q_{ij} = -r_{ji} r_{ij}`.

References: J. Platt, "Probabilistic outputs for support vector machines", 1999; H.-T. Lin,
C.-J. Lin and R. C. Weng, "A note on Platt's probabilistic outputs for support vector machines",
Machine Learning 68, 2007; T.-F. Wu, C.-J. Lin and R. C. Weng, "Probability estimates for
multi-class classification by pairwise coupling", JMLR 5, 2004.
"""

import numpy as np
from scipy.special import expit

from ._ovo import class_pairs

N_FOLDS = 5
# Pairwise probabilities are kept this far from 0 and 1, as libsvm does.
_MIN_PROBABILITY = 1e-7


def _sigmoid_loss(A, B, decision, target):
    f = A * decision + B
    return np.sum(np.logaddexp(0.0, f) - (1.0 - target) * f)


def fit_sigmoid(decision, y, *, max_iter=100, min_step=1e-10, sigma=1e-12, eps=1e-5):
    """Platt's :math:`(A, B)` for decision values ``decision`` and labels ``y`` (+-1)."""
    n_positive, n_negative = np.sum(y > 0), np.sum(y <= 0)
    target = np.where(y > 0, (n_positive + 1.0) / (n_positive + 2.0), 1.0 / (n_negative + 2.0))
    A, B = 0.0, np.log((n_negative + 1.0) / (n_positive + 1.0))
    loss = _sigmoid_loss(A, B, decision, target)
    for _ in range(max_iter):
        p = expit(-(A * decision + B))  # P(y = +1 | f)
        d1, d2 = target - p, p * (1.0 - p)
        g1, g2 = decision @ d1, d1.sum()
        if abs(g1) < eps and abs(g2) < eps:
            break
        h11, h22, h21 = sigma + decision**2 @ d2, sigma + d2.sum(), decision @ d2
        det = h11 * h22 - h21**2
        dA, dB = -(h22 * g1 - h21 * g2) / det, -(-h21 * g1 + h11 * g2) / det
        slope, step = g1 * dA + g2 * dB, 1.0
        while step >= min_step:
            new_loss = _sigmoid_loss(A + step * dA, B + step * dB, decision, target)
            if new_loss < loss + 1e-4 * step * slope:
                A, B, loss = A + step * dA, B + step * dB, new_loss
                break
            step /= 2.0
        if step < min_step:
            break
    return A, B


def cross_validated_decision(solve, decide, rows, y, C, rng):
    """Decision values of each sample of a pair from a model trained without its fold.

    ``solve(rows, y, C)`` returns ``(alpha, rho)``; ``decide(rows, train_rows, coef, rho)`` the
    decision values of ``rows``. A fold whose training part lacks a class gets +1 or -1 (0 when it
    is empty), as in libsvm.
    """
    n = len(rows)
    order = rng.permutation(n)
    decision = np.empty(n)
    for fold in range(N_FOLDS):
        held_out = order[fold * n // N_FOLDS : (fold + 1) * n // N_FOLDS]
        train = np.setdiff1d(order, held_out)
        train = np.concatenate([train[y[train] > 0], train[y[train] < 0]])
        n_positive = int(np.sum(y[train] > 0))
        if n_positive == 0 or n_positive == len(train):
            decision[held_out] = 0.0 if len(train) == 0 else (1.0 if n_positive else -1.0)
            continue
        alpha, rho = solve(rows[train], y[train], C[train])
        used = alpha > 0
        decision[held_out] = decide(rows[held_out], rows[train][used], (alpha * y[train])[used], rho)
    return decision


def pairwise_probability(decision, A, B):
    """:math:`r = P(i \\mid i \\text{ or } j)` of each pair from its decision values (n, n_pairs)."""
    r = expit(-(decision * A + B))
    return np.clip(r, _MIN_PROBABILITY, 1.0 - _MIN_PROBABILITY)


def couple(r, n_classes):
    """Class probabilities (n, n_classes) from the pairwise ones (n, n_pairs), Wu-Lin-Weng method 2."""
    if n_classes == 2:
        return np.column_stack([r[:, 0], 1.0 - r[:, 0]])
    n = r.shape[0]
    R = np.zeros((n, n_classes, n_classes))  # R[:, i, j] = P(i | i or j)
    for p, (i, j) in enumerate(class_pairs(n_classes)):
        R[:, i, j], R[:, j, i] = r[:, p], 1.0 - r[:, p]
    Rt = np.swapaxes(R, 1, 2)
    Q = -Rt * R
    Q[:, np.arange(n_classes), np.arange(n_classes)] = np.sum(Rt**2, axis=2)
    p = np.linalg.solve(Q, np.ones((n, n_classes, 1)))[:, :, 0]
    return p / p.sum(axis=1, keepdims=True)
