"""Safe persistence with skops: the list of skdl's own types that a fitted model may contain."""

import importlib
import inspect
import pkgutil


def _skdl_modules():
    import skdl

    for module_info in pkgutil.walk_packages(skdl.__path__, prefix="skdl."):
        if ".tests" in module_info.name or module_info.name.startswith("skdl._demo"):
            continue
        try:
            yield importlib.import_module(module_info.name)
        except ImportError:
            # A module whose optional dependency (torch) is missing cannot be in a model either.
            continue


def trusted_types():
    """Return the fully qualified names of skdl's own classes, for ``skops.io.load(trusted=...)``.

    A fitted skdl estimator stores its state as arrays, plain Python values and instances of these
    classes (the estimators themselves, and their optimiser, schedule and loss-history objects), so
    these are the only types :func:`skops.io.get_untrusted_types` reports for it. Loading with
    ``trusted=trusted_types()`` — never ``trusted=True`` — trusts skdl's code and nothing else: a
    file that names any other type is refused.

    Returns
    -------
    names : list of str
        Sorted, e.g. ``"skdl.linear_model._linear.LinearRegression"``.

    Examples
    --------
    >>> from skdl.utils import trusted_types
    >>> "skdl.linear_model._linear.LinearRegression" in trusted_types()
    True
    """
    names = set()
    for module in _skdl_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__:
                names.add(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(names)
