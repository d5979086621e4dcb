"""Demo cases of the recommender: MovieLens-100k, one 80/20 hold-out split, test RMSE.

The peer is Surprise's ``SVD`` (default settings, the same matrix factorisation) when
scikit-surprise is installed (the ``bench`` extra), and the row shows the ratio of fit times;
without it the row shows an item-mean baseline's RMSE as a reference, without a time ratio (a
mean per item is not the same job).
"""

import importlib.util

import numpy as np
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

from ..datasets import load_movielens
from ..recommender import CollaborativeFilter
from ._runner import DemoCase

HAVE_SURPRISE = importlib.util.find_spec("surprise") is not None


class _SurpriseSVD:
    """fit(X, y) / predict(X) around ``surprise.SVD`` (trainset built inside fit, as skdl encodes ids)."""

    def fit(self, X, y):
        import pandas as pd
        from surprise import SVD, Dataset, Reader

        frame = pd.DataFrame({"user": X[:, 0], "item": X[:, 1], "rating": y})
        trainset = Dataset.load_from_df(frame, Reader(rating_scale=(y.min(), y.max()))).build_full_trainset()
        self.model_ = SVD(random_state=0).fit(trainset)
        return self

    def predict(self, X):
        return np.array([self.model_.predict(user, item).est for user, item in X])


class _ItemMean:
    """Each item's mean training rating; the global mean for unseen items."""

    def fit(self, X, y):
        items, codes = np.unique(X[:, 1], return_inverse=True)
        self.items_, self.mean_ = items, np.bincount(codes, weights=y) / np.bincount(codes)
        self.global_mean_ = y.mean()
        return self

    def predict(self, X):
        index = np.clip(np.searchsorted(self.items_, X[:, 1]), 0, len(self.items_) - 1)
        known = self.items_[index] == X[:, 1]
        return np.where(known, self.mean_[index], self.global_mean_)


def _movielens_holdout():
    X, y = load_movielens(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    return X_train, y_train, X_test, y_test


def _rmse(estimator, X, y):
    return mean_squared_error(y, estimator.predict(X)) ** 0.5


CASES = [
    DemoCase(
        "CollaborativeFilter", data_set, "test RMSE",
        _movielens_holdout, make, _rmse,
        _SurpriseSVD if HAVE_SURPRISE else _ItemMean,
        "surprise SVD" if HAVE_SURPRISE else "item-mean baseline (pip install -e '.[bench]' for Surprise)",
        compare_times=HAVE_SURPRISE,
    )
    for data_set, make in [
        ("MovieLens-100k, 80/20 hold-out", lambda: CollaborativeFilter(random_state=0)),
        ("MovieLens-100k, implicit=True", lambda: CollaborativeFilter(implicit=True, random_state=0)),
    ]
]
