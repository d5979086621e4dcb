r"""One-vs-one: the binary sub-problems, libsvm's layout of the fitted model, votes and scores.

With :math:`K` classes, one binary SVM is trained for every pair :math:`i < j` on the samples of
the two classes, class :math:`i` labelled :math:`+1`. Its decision value is
:math:`f_{ij}(x) = \sum_s \alpha_s y_s K(x_s, x) - \rho_{ij}`, positive for class :math:`i`.

The fitted model is laid out as libsvm's (and so scikit-learn's): ``support_`` lists the support
vectors class by class, ``dual_coef_[j - 1]`` holds the :math:`\alpha_s y_s` of the class-:math:`i`
vectors in classifier :math:`(i, j)` and ``dual_coef_[i]`` those of the class-:math:`j` vectors, and
``intercept_[p] = -\rho`` for the :math:`p`-th pair in the order (0, 1), (0, 2), ..., (1, 2), ...
"""

import numpy as np


def class_pairs(n_classes):
    """``[(i, j), ...]`` for ``i < j``, in libsvm's order."""
    return [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]


def pair_problem(y_index, i, j):
    """Rows of classes ``i`` then ``j`` (each in data order, as libsvm groups them) and labels +-1."""
    rows_i, rows_j = np.flatnonzero(y_index == i), np.flatnonzero(y_index == j)
    rows = np.concatenate([rows_i, rows_j]).astype(np.int64)
    y = np.concatenate([np.ones(len(rows_i)), -np.ones(len(rows_j))])
    return rows, y


def libsvm_layout(pair_alphas, pair_rows, y_index, n_classes):
    """Assemble the pair solutions into ``support``, ``n_support``, ``dual_coef`` and ``pair_coef``.

    ``pair_alphas[p]`` are the :math:`\alpha` of pair ``p`` over ``pair_rows[p]``. ``pair_coef[p]``
    (n_pairs, n_SV) holds each pair's :math:`\alpha_s y_s` on the support vectors, so that the
    decision values of all pairs are one product ``K(X, SV) @ pair_coef.T``.
    """
    is_support = np.zeros(len(y_index), dtype=bool)
    for alpha, rows in zip(pair_alphas, pair_rows):
        is_support[rows[alpha > 0]] = True
    candidates = np.flatnonzero(is_support)
    # Class by class, each in data order: a stable sort of the support vectors by class.
    support = candidates[np.argsort(y_index[candidates], kind="stable")].astype(np.int32)
    n_support = np.bincount(y_index[support], minlength=n_classes).astype(np.int32)
    column = np.full(len(y_index), -1)
    column[support] = np.arange(len(support))
    dual_coef = np.zeros((max(n_classes - 1, 1), len(support)))
    pair_coef = np.zeros((len(pair_alphas), len(support)))
    for p, ((i, j), alpha, rows) in enumerate(zip(class_pairs(n_classes), pair_alphas, pair_rows)):
        used = alpha > 0
        columns, of_i = column[rows[used]], y_index[rows[used]] == i
        signed = np.where(of_i, alpha[used], -alpha[used])
        pair_coef[p, columns] = signed
        dual_coef[j - 1, columns[of_i]] = signed[of_i]
        dual_coef[i, columns[~of_i]] = signed[~of_i]
    return support, n_support, dual_coef, pair_coef


def vote(decision, n_classes):
    """Class index with the most pairwise wins (ties to the lowest index, as libsvm)."""
    votes = np.zeros((decision.shape[0], n_classes), dtype=np.intp)
    for p, (i, j) in enumerate(class_pairs(n_classes)):
        wins_i = decision[:, p] > 0
        votes[:, i] += wins_i
        votes[:, j] += ~wins_i
    return votes.argmax(axis=1)


def ovr_scores(decision, n_classes):
    """One score per class from the pairwise decision values (scikit-learn's "ovr" shape).

    The score of class :math:`k` is its number of votes plus the sum :math:`s_k` of its pairwise
    decision values (signed towards :math:`k`) squashed into :math:`(-1/3, 1/3)` by
    :math:`s_k / (3(|s_k| + 1))`, so that the ranking follows the votes and the confidences
    break ties.
    """
    votes = np.zeros((decision.shape[0], n_classes))
    confidence = np.zeros((decision.shape[0], n_classes))
    for p, (i, j) in enumerate(class_pairs(n_classes)):
        wins_i = decision[:, p] >= 0  # scikit-learn's rule; libsvm's vote gives a tie to j
        votes[:, i] += wins_i
        votes[:, j] += ~wins_i
        confidence[:, i] += decision[:, p]
        confidence[:, j] -= decision[:, p]
    return votes + confidence / (3 * (np.abs(confidence) + 1))
