"""Every public class, method and function of skdl has a valid numpydoc docstring.

The checks are numpydoc's (``numpydoc.validate``), chosen as scikit-learn's own
``sklearn/tests/test_docstrings.py`` chooses them: all of them, except

- RT02 (the first line of Returns may name the returned object, not only its type), GL01 and
  GL02 (where the summary starts and blank lines around it), for every docstring;
- ES01, SA01, EX01 (an extended summary, See Also and Examples) for methods and functions:
  those are asked of the class docstrings;
- PR02 and GL08 for properties, whose signature numpydoc cannot read.

"Public" means listed in the ``__all__`` of a package of skdl (the shared ``skdl._optim``
included, ``skdl._demo`` not) or defined in a public module without ``__all__``
(``skdl.utils.discovery``); the methods are those a class defines in skdl (scikit-learn's
inherited ones are scikit-learn's to document). A docstring is also written as one literal: not
assembled by string concatenation or formatting, so that the source reads as the page does.
"""

import ast
import importlib
import inspect
import pathlib
import pkgutil

import pytest

import skdl

numpydoc_validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is in the 'dev' extra")

IGNORED_EVERYWHERE = {"RT02", "GL01", "GL02"}
IGNORED_FOR_METHODS = {"ES01", "SA01", "EX01"}
IGNORED_FOR_PROPERTIES = {"PR02", "GL08"}



def _public_modules():
    """skdl's packages (``_optim`` included, the demo not) and its public plain modules."""
    yield skdl
    for info in pkgutil.walk_packages(skdl.__path__, prefix="skdl."):
        parts = info.name.split(".")[1:]
        if parts[0] == "_demo" or parts[0] == "datasets" and len(parts) > 1:
            continue
        if info.ispkg or not any(part.startswith("_") for part in parts):
            try:
                yield importlib.import_module(info.name)
            except ImportError as error:
                if error.name not in ("torch", "skorch"):
                    raise


def _public_names(module):
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name for name, obj in vars(module).items()
        if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__
    ]


def _skdl_methods(cls):
    """Public methods and properties that ``cls`` or an skdl base class defines."""
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((klass for klass in cls.__mro__ if name in vars(klass)), None)
        if owner is None or not owner.__module__.startswith("skdl."):
            continue
        attribute = vars(owner)[name]
        if isinstance(attribute, (property, staticmethod, classmethod)) or inspect.isfunction(attribute):
            yield name, isinstance(attribute, property)


def _documented_objects():
    """``(import path, kind)`` for every public function, class and method; kind is what it is."""
    seen = set()
    for module in _public_modules():
        for name in _public_names(module):
            try:
                obj = getattr(module, name)
            except ImportError:  # a torch estimator where torch is missing
                continue
            path = f"{module.__name__}.{name}"
            if inspect.isclass(obj):
                if obj in seen:
                    continue
                seen.add(obj)
                yield path, "class"
                for method, is_property in _skdl_methods(obj):
                    yield f"{path}.{method}", "property" if is_property else "method"
            elif inspect.isfunction(obj):
                if obj in seen:
                    continue
                seen.add(obj)
                yield path, "function"


DOCUMENTED = sorted(set(_documented_objects()))


def _failures(path, kind):
    ignored = set(IGNORED_EVERYWHERE)
    if kind != "class":
        ignored |= IGNORED_FOR_METHODS
    if kind == "property":
        ignored |= IGNORED_FOR_PROPERTIES
    result = numpydoc_validate.validate(path)
    return [f"{code}: {message}" for code, message in result["errors"] if code not in ignored]


def test_the_collection_finds_every_kind_of_public_object():
    paths = dict(DOCUMENTED)
    assert paths["skdl.linear_model.LinearRegression"] == "class"
    assert paths["skdl.linear_model.LinearRegression.fit"] == "method"
    assert paths["skdl.datasets.load_movielens"] == "function"
    assert paths["skdl.utils.discovery.all_estimators"] == "function"
    assert "skdl.linear_model.LinearRegression.get_params" not in paths  # scikit-learn's own


@pytest.mark.parametrize("path, kind", DOCUMENTED, ids=[path for path, _ in DOCUMENTED])
def test_docstring_passes_numpydoc_validation(path, kind):
    failures = _failures(path, kind)
    assert not failures, f"{path}:\n" + "\n".join(failures)


def _docstring_node(path):
    """The AST node of the class or function ``path`` names, or None where it has no source."""
    target = _resolve(path)
    try:
        source_file = inspect.getsourcefile(target)
        lines, start = inspect.getsourcelines(target)
    except (OSError, TypeError):
        return None, target
    tree = ast.parse(pathlib.Path(source_file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno >= start:
            if node.name == target.__name__ and node.lineno < start + len(lines):
                return node, target
    return None, target


def _resolve(path):
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return inspect.unwrap(obj.fget if isinstance(obj, property) else obj)
    raise ImportError(path)


def _assembled_docstrings():
    """Paths of the classes and functions whose docstring is not the literal their source starts with."""
    for path, kind in DOCUMENTED:
        if kind == "property":
            continue
        node, target = _docstring_node(path)
        if node is None or not target.__doc__:
            continue
        if ast.get_docstring(node, clean=False) != target.__doc__:
            yield path


def test_no_docstring_is_assembled_by_concatenation():
    assembled = sorted(_assembled_docstrings())
    assert not assembled, assembled
