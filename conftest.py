"""pytest configuration of the repository: the suite runs, torch or not.

Without the ``torch`` extra the torch-backed modules of skdl cannot be imported, so their
doctests (``--doctest-modules`` collects every module of the package) are reported as skipped
with that reason instead of failing to import. The test modules of the torch estimators skip
themselves with ``pytest.importorskip``.
"""

import importlib
import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent
TORCH_EXTRA = ("torch", "skorch")
NEEDS_TORCH = 'needs torch and skorch, which are not installed (pip install -e ".[torch]")'
TORCH_INSTALLED = all(importlib.util.find_spec(name) is not None for name in TORCH_EXTRA)


def _import_error_of_a_missing_torch(path):
    """The ImportError raised by importing skdl's module at ``path`` for lack of torch, or None."""
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    if relative.parts[0] != "skdl" or path.suffix != ".py":
        return None
    parts = relative.with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(name)
    except ImportError as error:
        # Any other import error is a bug: the doctest collector reports it as usual.
        return error if error.name in TORCH_EXTRA else None
    return None


class _SkippedForTorch(pytest.File):
    """Stands in for the doctests of a module that cannot be imported without torch."""

    def collect(self):
        pytest.skip(f"{self.path.name} {NEEDS_TORCH}")


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collectors = yield
    if not TORCH_INSTALLED and collectors and _import_error_of_a_missing_torch(file_path) is not None:
        return [_SkippedForTorch.from_parent(parent, path=file_path)]
    return collectors
