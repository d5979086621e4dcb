"""Safe persistence with skops: the list of skdl's own types that a fitted model may contain."""

import ast
import pathlib
import pkgutil


def _skdl_module_sources():
    """Yield ``(module name, source path)`` for every module of skdl but the demo, importing none."""
    import skdl

    for module_info in pkgutil.walk_packages(skdl.__path__, prefix="skdl."):
        name = module_info.name
        if ".tests" in name or name.startswith("skdl._demo"):
            continue
        folder = pathlib.Path(module_info.module_finder.path)
        stem = name.rsplit(".", 1)[-1]
        path = folder / stem / "__init__.py" if module_info.ispkg else folder / f"{stem}.py"
        if path.is_file():
            yield name, path


def _top_level_class_names(tree):
    """Names of the classes a module defines at its top level (also inside ``if`` / ``try``)."""
    statements = list(tree.body)
    while statements:
        node = statements.pop(0)
        if isinstance(node, ast.ClassDef):
            yield node.name
        elif isinstance(node, (ast.If, ast.Try)):
            statements += node.body + node.orelse + getattr(node, "finalbody", [])
            statements += [s for handler in getattr(node, "handlers", []) for s in handler.body]


def trusted_types():
    """Return the fully qualified names of skdl's own classes, for ``skops.io.load(trusted=...)``.

    A fitted skdl estimator stores its state as arrays, plain Python values and instances of these
    classes (the estimators themselves, and their optimiser, schedule and loss-history objects), so
    these are the only types :func:`skops.io.get_untrusted_types` reports for it. Loading with
    ``trusted=trusted_types()`` (never ``trusted=True``) trusts skdl's code and nothing else: a
    file that names any other type is refused.

    The classes are read from skdl's source files, not imported: the list is the same with or
    without torch installed, and making it imports neither torch nor any estimator module.

    Returns
    -------
    list of str
        The names, sorted, e.g. ``"skdl.linear_model._linear.LinearRegression"``.

    See Also
    --------
    skops.io.load : Load a model, trusting only the types listed.

    Examples
    --------
    >>> from skdl.utils import trusted_types
    >>> "skdl.linear_model._linear.LinearRegression" in trusted_types()
    True
    """
    names = set()
    for module_name, path in _skdl_module_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names.update(f"{module_name}.{class_name}" for class_name in _top_level_class_names(tree))
    return sorted(names)
