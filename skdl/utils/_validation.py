"""Validation shared by every estimator: sample weights and the early-stopping hold-out.

One helper per kind of input, so that every estimator refuses the same bad input with the same
message, and the rules (what a weight may be, when a hold-out can be stratified) are written once.
"""

import numpy as np
from pandas.api.types import infer_dtype
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets

from ._compat import _check_sample_weight


def check_sample_weight(sample_weight, X, *, dtype=None):
    """Validate ``sample_weight`` for the rows of ``X``; ``None`` gives unit weights.

    A weight is a count (weight ``k`` means the row repeated ``k`` times), so it must be finite
    and non-negative, and at least one must be positive. Anything else raises a ``ValueError``
    that names the problem, before any computation: scikit-learn's estimators refuse the same.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,), float or None
        The weights; a scalar weights every row the same.
    X : array-like or sparse matrix with n_samples rows
        The data the weights belong to (only its number of rows is read).
    dtype : dtype, default=None
        The dtype of the result (float64 or float32); ``None`` keeps a float weight's dtype.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,)
        C-contiguous weights.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.utils._validation import check_sample_weight
    >>> check_sample_weight(None, np.zeros((3, 2)))
    array([1., 1., 1.])
    >>> check_sample_weight([1.0, -1.0, 2.0], np.zeros((3, 2)))
    Traceback (most recent call last):
    ...
    ValueError: sample_weight must be non-negative (a weight counts repetitions of a row); got -1.0 at row 1.
    """
    if sample_weight is not None and not np.isscalar(sample_weight):
        values = np.asarray(sample_weight)
        if values.dtype.kind in "iuf" and values.ndim == 1:
            negative = np.flatnonzero(values < 0)
            if negative.size:
                row = int(negative[0])
                raise ValueError(
                    "sample_weight must be non-negative (a weight counts repetitions of a row); "
                    f"got {values[row]} at row {row}."
                )
    elif sample_weight is not None and sample_weight < 0:
        raise ValueError(f"sample_weight must be non-negative; got {sample_weight}.")
    return _check_sample_weight(sample_weight, X, dtype=dtype, ensure_non_negative=True)


def check_classification_labels(y):
    """Validate the class labels of a classifier; return them with a dtype numpy can sort.

    Labels stored as Python objects (a pandas ``object`` column, a list with ``None`` replaced)
    are accepted when they are all integers, which become an integer array, or all strings. A mix
    of types (``[0, "spam", 2]``) has no order to sort classes by, and continuous values are no
    classes: both raise a ``ValueError`` that says so and what to do.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        The labels, as ``validate_data`` returns them.

    Returns
    -------
    y : ndarray
        The same labels; integer objects as an integer array.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.utils._validation import check_classification_labels
    >>> check_classification_labels(np.array([0, 1, 1], dtype=object))
    array([0, 1, 1])
    >>> check_classification_labels(np.array([0, "spam"], dtype=object))
    Traceback (most recent call last):
    ...
    ValueError: The class labels mix types (int, str): labels must be all numbers or all strings. Convert them first, for example with y.astype(str).
    """
    if y.dtype == object and y.size:
        kind = infer_dtype(y.ravel(), skipna=False)
        if kind == "integer":
            y = y.astype(np.int64)
        elif kind.startswith("mixed"):
            types = sorted({type(label).__name__ for label in y.ravel()})
            raise ValueError(
                f"The class labels mix types ({', '.join(types)}): labels must be all numbers or all "
                "strings. Convert them first, for example with y.astype(str)."
            )
    check_classification_targets(y)
    return y


def check_two_classes(classes, name):
    """Refuse a classifier's data holding fewer than two classes, naming the one class.

    Parameters
    ----------
    classes : ndarray of shape (n_classes,)
        The classes found in the data (at least one).
    name : str
        The estimator's name, for the message.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.utils._validation import check_two_classes
    >>> check_two_classes(np.array(["ham", "spam"]), "LinearSVC")
    >>> check_two_classes(np.array(["ham"]), "LinearSVC")
    Traceback (most recent call last):
    ...
    ValueError: LinearSVC needs samples of at least 2 classes ... only one class: np.str_('ham').
    """
    if len(classes) < 2:
        raise ValueError(
            f"{name} needs samples of at least 2 classes in the data, but the data contains only "
            f"one class: {classes[0]!r}."
        )


def class_indices(y, classes):
    """The positions of the labels ``y`` in the sorted ``classes``, refusing labels outside them.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The labels, as :func:`check_classification_labels` returns them.
    classes : ndarray of shape (n_classes,)
        The fitted ``classes_``, sorted.

    Returns
    -------
    indices : ndarray of shape (n_samples,)
        ``classes[indices]`` is ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.utils._validation import class_indices
    >>> class_indices(np.array(["spam", "ham"]), np.array(["ham", "spam"]))
    array([1, 0])
    >>> class_indices(np.array([3]), np.array([0, 1]))
    Traceback (most recent call last):
    ...
    ValueError: y contains labels [3] not in classes [0, 1].
    """
    unseen = np.setdiff1d(y, classes)
    if unseen.size:
        raise ValueError(f"y contains labels {unseen.tolist()} not in classes {classes.tolist()}.")
    return np.searchsorted(classes, y)


def validation_split(n_samples, validation_fraction, random_state, *, classes=None):
    """Row indices of a training part and a validation hold-out, for early stopping.

    The hold-out has ``ceil(validation_fraction * n_samples)`` rows, as in
    :func:`sklearn.model_selection.train_test_split`. With ``classes`` it is stratified whenever
    that is possible: every class has at least two rows, and both parts have room for one row of
    each class. Otherwise (a rare class, or a hold-out smaller than the number of classes) the
    split is a plain random one, so early stopping works on any data set of two or more rows.

    Parameters
    ----------
    n_samples : int
        The number of rows to split.
    validation_fraction : float
        The fraction held out, in (0, 1).
    random_state : int, RandomState instance or None
        Draws the split.
    classes : array-like of shape (n_samples,), default=None
        The class of each row, to stratify by; ``None`` for regression.

    Returns
    -------
    train : ndarray of int
        The training rows.
    validation : ndarray of int
        The held-out rows.

    Raises
    ------
    ValueError
        When ``n_samples < 2``: one row cannot be both trained on and held out.

    Examples
    --------
    >>> from skdl.utils._validation import validation_split
    >>> train, validation = validation_split(10, 0.2, 0, classes=[0] * 5 + [1] * 5)
    >>> len(train), len(validation)
    (8, 2)
    """
    if n_samples < 2:
        raise ValueError(
            f"Early stopping holds out a validation part of the training data, which needs at least "
            f"2 samples; got n_samples={n_samples}. Pass more samples or set early_stopping=False."
        )
    n_validation = min(max(int(np.ceil(validation_fraction * n_samples)), 1), n_samples - 1)
    stratify = None
    if classes is not None:
        classes = np.asarray(classes)
        counts = np.unique(classes, return_counts=True)[1]
        n_classes = len(counts)
        if counts.min() >= 2 and n_classes <= n_validation <= n_samples - n_classes:
            stratify = classes
    return train_test_split(
        np.arange(n_samples), test_size=n_validation, stratify=stratify, random_state=random_state
    )
