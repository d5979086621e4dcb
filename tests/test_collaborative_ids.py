"""CollaborativeFilter on ids of every pandas 3 type: kept exactly, returned in the type given."""

import numpy as np
import pandas as pd
import pytest

from skdl.recommender import CollaborativeFilter

BIG = 2**53  # ids from here on are not all representable as float64

ID_TYPES = {
    "int64": lambda codes: np.asarray(BIG + codes, dtype=np.int64),
    "Int64": lambda codes: pd.array(BIG + codes, dtype="Int64"),
    "int64[pyarrow]": lambda codes: pd.array(BIG + codes, dtype="int64[pyarrow]"),
    "string[pyarrow]": lambda codes: pd.array([f"id{c:03d}" for c in codes], dtype="string[pyarrow]"),
    "str": lambda codes: pd.array([f"id{c:03d}" for c in codes], dtype="str"),
    "category": lambda codes: pd.Categorical([f"id{c:03d}" for c in codes]),
    "object": lambda codes: np.array([f"id{c:03d}" for c in codes], dtype=object),
}


def _ratings(seed=0, n_users=30, n_items=20, n_ratings=300):
    rng = np.random.default_rng(seed)
    users, items = rng.integers(0, n_users, n_ratings), rng.integers(0, n_items, n_ratings)
    return users, items, rng.integers(1, 6, n_ratings).astype(float)


def _frame(users, items, kind):
    return pd.DataFrame({"user": ID_TYPES[kind](users), "item": ID_TYPES[kind](items)})


@pytest.mark.parametrize("kind", list(ID_TYPES))
def test_ids_are_kept_exactly_and_returned_in_their_type(kind):
    users, items, y = _ratings()
    frame = _frame(users, items, kind)
    model = CollaborativeFilter(n_factors=3, random_state=0).fit(frame, y)
    reference = CollaborativeFilter(n_factors=3, random_state=0).fit(np.column_stack([users, items]), y)
    # Sorted ids give the same codes: the same model, whatever the type of the ids.
    np.testing.assert_allclose(model.predict(frame), reference.predict(np.column_stack([users, items])), rtol=1e-10)
    assert model.users_.dtype == frame["user"].dtype and model.items_.dtype == frame["item"].dtype
    assert len(model.users_) == len(np.unique(users))  # BIG and BIG + 1 stay two users
    first_user = frame["user"].iloc[0]
    recommended = model.recommend(first_user, n=5)
    assert recommended.dtype == frame["item"].dtype
    expected_codes = reference.recommend(users[0], n=5)
    assert list(recommended) == list(ID_TYPES[kind](expected_codes))
    similar = model.similar_items(frame["item"].iloc[0], n=3)
    assert similar.dtype == frame["item"].dtype
    many = model.recommend(frame["user"].iloc[:4], n=2)
    assert many.shape == (4,) and all(lists.dtype == frame["item"].dtype for lists in many)


@pytest.mark.parametrize("kind", ["Int64", "int64[pyarrow]"])
def test_integer_ids_above_two_to_the_53_are_not_merged(kind):
    # 2**53 + 1 rounds to 2**53 in float64: the two users must stay apart.
    frame = pd.DataFrame({"user": pd.array([BIG, BIG + 1, BIG, BIG + 1], dtype=kind),
                          "item": pd.array([1, 1, 2, 2], dtype=kind)})
    model = CollaborativeFilter(n_factors=1, random_state=0).fit(frame, [5.0, 1.0, 5.0, 1.0])
    assert list(model.users_) == [BIG, BIG + 1]
    prediction = model.predict(frame)
    assert prediction[0] > prediction[1]


@pytest.mark.parametrize("kind", ["Int64", "int64[pyarrow]", "string[pyarrow]", "str", "category", "object"])
@pytest.mark.parametrize("column", ["user", "item"])
def test_missing_ids_are_refused_naming_the_rows(kind, column):
    users, items, y = _ratings(n_ratings=10)
    frame = _frame(users, items, kind)
    frame.loc[[3, 7], column] = None
    with pytest.raises(ValueError, match=f"missing {column} ids .*rows 3, 7"):
        CollaborativeFilter().fit(frame, y)


def test_none_and_na_in_object_arrays_are_refused():
    for missing in (None, pd.NA, np.nan):
        X = np.array([["ann", "up"], [missing, "up"], ["bob", "jaws"]], dtype=object)
        with pytest.raises(ValueError, match="missing user ids .*rows 1"):
            CollaborativeFilter().fit(X, [5.0, 4.0, 3.0])


def test_float16_ids_are_refused():
    X = np.array([[2048, 1], [2049, 1]], dtype=np.float16)  # both stored as 2048
    with pytest.raises(TypeError, match="float16"):
        CollaborativeFilter().fit(X, [5.0, 1.0])


@pytest.mark.parametrize("kind", ["Int64", "string[pyarrow]", "category"])
def test_partial_fit_keeps_the_type_of_the_ids(kind):
    users, items, y = _ratings()
    frame = _frame(users[users != 29], items[users != 29], kind)
    model = CollaborativeFilter(n_factors=2, random_state=0).fit(frame, y[users != 29])
    new = _frame(np.array([29, 29]), items[:2], kind)
    if kind == "category":  # a new user among the fitted categories
        new = new.astype({"user": pd.CategoricalDtype(frame["user"].cat.categories.append(pd.Index(["id029"])))})
        model = CollaborativeFilter(n_factors=2, random_state=0).fit(frame.astype({"user": new["user"].dtype}),
                                                                     y[users != 29])
    n_users = len(model.users_)
    model.partial_fit(new, [5.0, 4.0])
    assert len(model.users_) == n_users + 1 and model.users_[-1] == new["user"].iloc[0]
    assert model.users_.dtype == new["user"].dtype
    assert model.recommend(new["user"].iloc[0], n=3).dtype == model.items_.dtype == frame["item"].dtype


def test_user_and_item_columns_by_name_among_other_columns():
    users, items, y = _ratings()
    frame = pd.DataFrame({
        "timestamp": np.arange(len(y)), "item": ID_TYPES["str"](items), "title": "t",
        "user": ID_TYPES["Int64"](users),
    })
    model = CollaborativeFilter(n_factors=2, user_col="user", item_col="item", random_state=0).fit(frame, y)
    assert model.n_features_in_ == 4 and list(model.feature_names_in_) == list(frame.columns)
    reference = CollaborativeFilter(n_factors=2, random_state=0).fit(np.column_stack([users, items]), y)
    np.testing.assert_allclose(model.predict(frame), reference.predict(np.column_stack([users, items])), rtol=1e-10)
    # The dataset loader's frame has the columns user_id and item_id, by name or by position.
    by_position = CollaborativeFilter(n_factors=2, user_col=3, item_col=1, random_state=0).fit(frame, y)
    np.testing.assert_allclose(by_position.predict(frame), model.predict(frame))
