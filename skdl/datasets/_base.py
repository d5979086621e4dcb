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


def supervised_bunch(
    data, target, *, feature_names, target_name, descr, return_X_y, as_frame, **extra
):
    """Package ``data`` and ``target`` the way scikit-learn's ``load_*`` functions do.

    With ``as_frame`` the data is a DataFrame, the target a Series and ``frame`` holds both;
    with ``return_X_y`` only ``(data, target)`` is returned.
    """
    frame = None
    if as_frame:
        data = pd.DataFrame(data, columns=list(feature_names))
        target = pd.Series(target, name=target_name)
        frame = pd.concat([data, target], axis=1)
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
