"""Loaders for the rating and text data sets: MovieLens-100k and the SMS Spam Collection."""

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ._base import data_path, load_descr, load_mat, supervised_bunch


def _movie_titles():
    lines = data_path("movie_ids.txt").read_text(encoding="latin-1").splitlines()
    return np.array([line.split(" ", 1)[1].strip() for line in lines if line.strip()], dtype=object)


def load_movielens(*, return_X_y=False, as_frame=False):
    """Load MovieLens-100k as one row per rating, as distributed with course exercise 8.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the data as a DataFrame with columns ``user_id`` and ``item_id`` and the target as
        a Series ``rating``; ``frame`` holds all three, and
        ``CollaborativeFilter(user_col="user_id", item_col="item_id")`` reads it as it is.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (100000, 2) int64 user id (1-943) and item id (1-1682), sorted by user then
        item; ``target`` (100000,) float64 ratings 1-5; ``titles`` (1682,) with
        ``titles[item_id - 1]`` the movie's title; ``frame``; ``DESCR``.

    Examples
    --------
    >>> from skdl.datasets import load_movielens
    >>> movielens = load_movielens()
    >>> movielens.data.shape, movielens.titles[0]
    ((100000, 2), 'Toy Story (1995)')
    """
    content = load_mat("ex8_movies.mat")
    # The course stores items x users; ratings are the entries where R is 1.
    item_index, user_index = np.nonzero(content["R"])
    order = np.lexsort((item_index, user_index))
    item_index, user_index = item_index[order], user_index[order]
    ratings = content["Y"][item_index, user_index].astype(np.float64)
    X = np.column_stack([user_index + 1, item_index + 1]).astype(np.int64)
    frame = None
    if as_frame:
        X = pd.DataFrame(X, columns=["user_id", "item_id"])
        ratings = pd.Series(ratings, name="rating")
        frame = pd.concat([X, ratings], axis=1)
    if return_X_y:
        return X, ratings
    return Bunch(
        data=X,
        target=ratings,
        frame=frame,
        feature_names=["user_id", "item_id"],
        titles=_movie_titles(),
        DESCR=load_descr("movielens"),
    )


def load_movie_factors():
    """Load the course's pre-trained collaborative-filtering factors (``ex8_movieParams.mat``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X`` (1682, 10) movie features and ``Theta`` (943, 10) user parameters.

    Examples
    --------
    >>> from skdl.datasets import load_movie_factors
    >>> factors = load_movie_factors()
    >>> factors.X.shape, factors.Theta.shape
    ((1682, 10), (943, 10))
    """
    content = load_mat("ex8_movieParams.mat")
    return Bunch(X=content["X"], Theta=content["Theta"], DESCR=load_descr("movie_factors"))


def load_sms_spam(*, return_X_y=False, as_frame=False):
    """Load the SMS Spam Collection v.1 as raw text with labels.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the messages as a DataFrame with one column ``text`` and the target as a Series.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (5574,) object array of messages, ``target`` (5574,) int64 with 1 = spam,
        ``target_names`` ``['ham', 'spam']``.

    Examples
    --------
    >>> from skdl.datasets import load_sms_spam
    >>> X, y = load_sms_spam(return_X_y=True)
    >>> len(X), int(y.sum())
    (5574, 747)
    """
    with data_path("SMSSpamCollection.tsv").open("r", encoding="utf-8") as f:
        table = pd.read_csv(f, sep="\t", quoting=3, dtype=str, keep_default_na=False)
    texts = table["SMS"].to_numpy(dtype=object)
    target = (table["Label"].to_numpy() == "spam").astype(np.int64)
    return supervised_bunch(
        texts, target, feature_names=["text"], target_name="spam", target_names=["ham", "spam"],
        descr=load_descr("sms_spam"), return_X_y=return_X_y, as_frame=as_frame,
    )
