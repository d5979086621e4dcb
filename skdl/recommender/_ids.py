"""The id columns of the ratings: which columns they are, checked, and coded as integers.

Ids are kept exactly as given: numpy integers and strings stay numpy, pandas extension arrays
(nullable ``Int64``, ``int64[pyarrow]``, ``string[pyarrow]``, ``str``, categorical) stay extension
arrays of the same dtype, so an id above 2**53 is never rounded through a float and the ids that
``recommend`` returns have the type the user fitted with.
"""

from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import check_array

_MAX_ROWS_NAMED = 5


def id_table(X):
    """``X`` as a DataFrame or a 2-D ndarray, refusing sparse, complex, empty and non-2-D input.

    A list (of lists) becomes an object array whose columns are then inferred one by one, so that
    a column of ints stays ints beside a column of strings (numpy would turn both into strings).
    """
    if sp.issparse(X):
        raise TypeError(
            "Sparse data was passed for X, but dense data is required: X holds one (user id, item "
            "id) pair per rating. Use X.toarray() or pass the id columns as an array or DataFrame."
        )
    if isinstance(X, pd.DataFrame):
        n_samples, n_columns = X.shape
        if n_samples == 0 or n_columns == 0:
            missing = "sample" if n_samples == 0 else "feature"
            raise ValueError(
                f"Found array with 0 {missing}(s) (shape={X.shape}) while a minimum of 1 is required."
            )
        return X
    if isinstance(X, (list, tuple)):
        X = check_array(X, dtype=object, ensure_all_finite=False, input_name="X")
        return np.column_stack([_infer_column(X[:, j]) for j in range(X.shape[1])]) if X.size else X
    return check_array(X, dtype=None, ensure_all_finite=False, input_name="X")


def _infer_column(column):
    """Ints as int64 and floats as float64; anything else (strings, mixtures) stays object."""
    kind = pd.api.types.infer_dtype(column, skipna=False)
    if kind == "integer":
        return column.astype(np.int64)
    if kind in ("floating", "mixed-integer-float"):
        return column.astype(np.float64)
    return column


def id_column(table, column, what):
    """The ids in ``column`` (a position, or a name when ``table`` is a DataFrame) of ``table``.

    Returns a 1-D ndarray, or the pandas extension array of that column. ``what`` ("user_col" or
    "item_col") names the parameter in errors.
    """
    n_columns = table.shape[1]
    if isinstance(column, str):
        if not isinstance(table, pd.DataFrame):
            raise ValueError(
                f"{what}={column!r} names a column, but X has no column names: pass X as a "
                f"DataFrame, or give {what} as a position."
            )
        if column not in table.columns:
            raise ValueError(f"{what}={column!r} is not a column of X; its columns are {list(table.columns)}.")
        ids = table[column]
    else:
        if not isinstance(column, Integral) or not 0 <= column < n_columns:
            raise ValueError(
                f"X has {n_columns} feature(s) (columns), so {what}={column!r} is out of range; "
                "X needs a user-id and an item-id column."
            )
        ids = table.iloc[:, column] if isinstance(table, pd.DataFrame) else table[:, column]
    if isinstance(ids, pd.Series):
        ids = ids.to_numpy() if isinstance(ids.dtype, np.dtype) else ids.array
    return check_ids(ids, "user" if what == "user_col" else "item")


def check_ids(ids, kind):
    """Refuse missing, infinite and float16 ids with an error naming the rows; return ``ids``."""
    if isinstance(ids.dtype, np.dtype) and ids.dtype == np.float16:
        raise TypeError(
            f"The {kind} ids are float16, which cannot tell ids above 2048 apart (2049 is stored as "
            "2048). Pass integer or string ids."
        )
    if ids.dtype.kind == "c":
        raise ValueError("Complex data not supported: ids are integers, strings or other hashable values.")
    missing = np.asarray(pd.isna(ids), dtype=bool)
    if missing.any():
        raise ValueError(
            f"X has missing {kind} ids (None, NaN or pd.NA) in rows {_rows(missing)}: every rating "
            f"needs a user id and an item id. Drop those rows or fill in the ids."
        )
    if ids.dtype.kind == "f":
        infinite = np.isinf(ids)
        if infinite.any():
            raise ValueError(f"X has infinite {kind} ids in rows {_rows(infinite)}; ids must be finite.")
    return ids


def _rows(mask):
    rows = np.flatnonzero(mask)
    named = ", ".join(str(r) for r in rows[:_MAX_ROWS_NAMED])
    return named + (f" and {len(rows) - _MAX_ROWS_NAMED} more" if len(rows) > _MAX_ROWS_NAMED else "")


def as_id_values(ids):
    """A query of ids (one scalar or an array-like) as a 1-D array, and whether it was a scalar."""
    if isinstance(ids, (pd.Series, pd.Index)):
        values = ids.array if not isinstance(ids.dtype, np.dtype) else ids.to_numpy()
        return values, False
    if pd.api.extensions.ExtensionArray in type(ids).__mro__:
        return ids, False
    if np.ndim(ids) == 0:
        return np.array([ids], dtype=object), True
    if isinstance(ids, (list, tuple)):  # numpy would turn [1, "a"] into ["1", "a"]
        ids = np.array(ids, dtype=object)
    values = np.asarray(ids)
    return (_infer_column(values) if values.dtype == object else values), False


class IdVocabulary:
    """The distinct ids of one side (users or items) and their integer codes ``0 .. n - 1``.

    Lookups go through a pandas hash index built once; ids added later (``extended``) go to a
    small second index, merged into the first when it grows past a sixteenth of it, so that adding
    a few ids costs time in proportion to the few, not to the vocabulary.
    """

    def __init__(self, ids, n_indexed=None, indexed=None):
        self.ids = ids
        n_indexed = len(ids) if n_indexed is None else n_indexed
        # An Index builds its hash table at the first lookup: share the big one, built once.
        self._indexed = _index(ids[:n_indexed]) if indexed is None else indexed
        self._recent = _index(ids[n_indexed:])

    @classmethod
    def encode(cls, ids):
        """Codes of ``ids`` and the vocabulary of its distinct ids (sorted when they can be)."""
        try:
            codes, uniques = pd.factorize(ids, sort=True)
        except TypeError:  # ids of mixed types that do not compare
            codes, uniques = pd.factorize(ids, sort=False)
        vocabulary = cls(uniques)
        vocabulary._indexed.get_indexer(uniques[:1])  # build the hash table now, not in the first update
        return codes.astype(np.int64), vocabulary

    def __len__(self):
        return len(self.ids)

    def lookup(self, ids):
        """Codes of ``ids``; -1 where an id is unknown."""
        codes = self._indexed.get_indexer(ids).astype(np.int64)
        if len(self._recent):
            unknown = np.flatnonzero(codes < 0)
            recent = self._recent.get_indexer(_take(ids, unknown))
            codes[unknown] = np.where(recent >= 0, recent + len(self._indexed), -1)
        return codes

    def extended(self, ids):
        """Codes of ``ids`` with the unknown ones appended: returns (codes, new vocabulary)."""
        codes = self.lookup(ids)
        unknown = np.flatnonzero(codes < 0)
        if not len(unknown):
            return codes, self
        new_codes, new_ids = pd.factorize(_take(ids, unknown))
        codes[unknown] = len(self.ids) + new_codes
        all_ids = concatenate_ids(self.ids, new_ids)
        n_recent = len(self._recent) + len(new_ids)
        compact = n_recent > max(1024, len(self._indexed) // 16)
        if compact:
            return codes, IdVocabulary(all_ids)
        return codes, IdVocabulary(all_ids, len(self._indexed), self._indexed)

    def __getstate__(self):
        # The hash tables are rebuilt on load; pickle the ids once.
        return {"ids": self.ids, "n_indexed": len(self._indexed)}

    def __setstate__(self, state):
        self.__init__(state["ids"], state["n_indexed"])


def _take(ids, positions):
    return ids[positions]


def _index(ids):
    """A pandas Index over ``ids`` of their own dtype (pandas would turn object strings into str)."""
    return pd.Index(ids, dtype=ids.dtype, copy=False)


def concatenate_ids(ids, new_ids):
    """``ids`` followed by ``new_ids``, each id unchanged.

    Equal dtypes (or integers of two widths) concatenate as they are; anything else becomes an
    object array, so that ints joining strings stay ints and large ints never pass through float.
    """
    if isinstance(ids, np.ndarray) and isinstance(new_ids, np.ndarray):
        if ids.dtype == new_ids.dtype or (ids.dtype.kind in "iu" and new_ids.dtype.kind in "iu"):
            return np.concatenate([ids, new_ids])
    else:
        converted = _converted(new_ids, ids.dtype)
        if converted is not None:
            return (
                np.concatenate([ids, converted]) if isinstance(ids, np.ndarray)
                else type(ids)._concat_same_type([ids, converted])
            )
    return np.concatenate([np.asarray(ids, dtype=object), np.asarray(new_ids, dtype=object)])


def _converted(new_ids, dtype):
    """``new_ids`` as ``dtype`` when every id survives the conversion unchanged, else None."""
    if isinstance(dtype, pd.CategoricalDtype):
        if not pd.Index(np.asarray(new_ids, dtype=object), dtype=object).isin(dtype.categories).all():
            return None
    try:
        converted = np.asarray(new_ids, dtype=dtype) if isinstance(dtype, np.dtype) else pd.array(new_ids, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        return None
    same = np.asarray(converted, dtype=object) == np.asarray(new_ids, dtype=object)
    return converted if bool(np.all(same)) and not pd.isna(converted).any() else None
