"""Find every public estimator of skdl, for the common tests and the documentation."""

import importlib
import importlib.util
import inspect
import pkgutil

from sklearn.base import BaseEstimator


def all_estimators():
    """Return ``[(name, class)]`` for every public estimator, sorted by name.

    Public means listed in the ``__all__`` of a public subpackage of ``skdl``. Estimators whose
    optional dependencies are missing (the torch-backed ones without torch) are left out rather
    than failing the import.

    Returns
    -------
    estimators : list of (str, type) tuples
        The class name and the class of each public estimator.

    Examples
    --------
    >>> from skdl.utils.discovery import all_estimators
    >>> "LinearRegression" in dict(all_estimators())
    True
    """
    import skdl

    found = {}
    for module_info in pkgutil.iter_modules(skdl.__path__):
        if module_info.name.startswith("_") or module_info.name in ("utils", "datasets"):
            continue
        module = importlib.import_module(f"skdl.{module_info.name}")
        for name in getattr(module, "__all__", []):
            try:
                obj = getattr(module, name)
            except ImportError:
                # Only a missing optional dependency may hide an estimator; any other import
                # error is a bug and must surface.
                if importlib.util.find_spec("torch") is not None and importlib.util.find_spec("skorch") is not None:
                    raise
                continue
            if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
                found[name] = obj
    return sorted(found.items())
