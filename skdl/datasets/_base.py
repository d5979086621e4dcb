"""Shared machinery of the bundled-data loaders: file access and the returned ``Bunch``."""

from importlib import resources

import numpy as np
import pandas as pd
import scipy.io
from sklearn.utils import Bunch

DATA_MODULE = "skdl.datasets.data"
DESCR_MODULE = "skdl.datasets.descr"


def data_path(file_name):
    """Return a path-like handle to a bundled data file."""
    return resources.files(DATA_MODULE).joinpath(file_name)


def load_descr(name):
    """Return the text of ``descr/<name>.rst``."""
    return resources.files(DESCR_MODULE).joinpath(f"{name}.rst").read_text(encoding="utf-8")


def load_csv(file_name):
    """Read a headerless, comma-separated numeric file as a float64 array."""
    with data_path(file_name).open("rb") as f:
        return np.loadtxt(f, delimiter=",", dtype=np.float64)


def load_mat(file_name):
    """Read a MATLAB ``.mat`` file into a dict of arrays, without its ``__header__`` entries."""
    with data_path(file_name).open("rb") as f:
        content = scipy.io.loadmat(f)
    return {key: value for key, value in content.items() if not key.startswith("__")}


def as_frame_pair(data, target, *, feature_names, target_name):
    """``data`` as a DataFrame with ``feature_names`` and ``target`` as a Series (or None).

    The columns keep numpy's dtypes (float64, int64), and text is pandas' default string dtype
    (``str`` in pandas 3): types every skdl estimator takes as they come.
    """
    frame = pd.DataFrame(data, columns=list(feature_names))
    return frame, None if target is None else pd.Series(target, name=target_name)


def _frame_of(data, target):
    return data if target is None else pd.concat([data, target], axis=1)


def supervised_bunch(
    data, target, *, feature_names, target_name, descr, return_X_y, as_frame, **extra
):
    """Package ``data`` and ``target`` the way scikit-learn's ``load_*`` functions do.

    With ``as_frame`` the data is a DataFrame, the target a Series and ``frame`` holds both;
    with ``return_X_y`` only ``(data, target)`` is returned.
    """
    frame = None
    if as_frame:
        data, target = as_frame_pair(data, target, feature_names=feature_names, target_name=target_name)
        frame = _frame_of(data, target)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=list(feature_names),
        target_names=extra.pop("target_names", [target_name]),
        DESCR=descr,
        **extra,
    )


# The course's names of each split's arrays, kept as fields of the Bunch of a split data set.
_COURSE_NAMES = {"train": ("X", "y"), "val": ("X_val", "y_val"), "test": ("X_test", "y_test")}


def split_bunch(splits, subset, *, feature_names, target_name, descr, return_X_y, as_frame, **extra):
    """Package a data set the course ships in splits, as scikit-learn's ``load_*`` functions do.

    ``splits`` maps ``"train"``, ``"val"``, ``"test"`` to ``(X, y)`` (``y`` may be None for an
    unlabelled split).

    ``data``, ``target`` and ``frame`` (and ``return_X_y``) hold the split named by ``subset``, as
    in scikit-learn's ``fetch_20newsgroups(subset=...)``; the Bunch also keeps every split under
    the course's names (``X``, ``y``, ``X_val``, ``y_val``, ``X_test``, ``y_test``).
    """
    if subset not in splits:
        raise ValueError(f"subset must be one of {sorted(splits)}, got {subset!r}.")
    if as_frame:
        splits = {
            name: as_frame_pair(X, y, feature_names=feature_names, target_name=target_name)
            for name, (X, y) in splits.items()
        }
    data, target = splits[subset]
    if return_X_y:
        return data, target
    fields = {}
    for name, (X, y) in splits.items():
        X_name, y_name = _COURSE_NAMES[name]
        fields[X_name] = X
        if y is not None:
            fields[y_name] = y
    return Bunch(
        data=data,
        target=target,
        frame=_frame_of(data, target) if as_frame else None,
        feature_names=list(feature_names),
        target_names=extra.pop("target_names", [target_name]),
        DESCR=descr,
        **fields,
        **extra,
    )
