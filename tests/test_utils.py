"""The gradient checker, estimator discovery and the expected-failure registry."""

import numpy as np
import pytest

from skdl.linear_model import LinearRegression, LogisticRegression
from skdl.utils import check_gradient, numerical_gradient
from skdl.utils.discovery import all_estimators
from skdl.utils.estimator_checks import check_instances, expected_failed_checks


def test_numerical_gradient_of_a_known_function():
    theta = np.array([[1.0, 2.0], [-3.0, 0.5]])
    gradient = numerical_gradient(lambda t: np.sum(np.sin(t)) + t[0, 1] ** 3, theta)
    expected = np.cos(theta)
    expected[0, 1] += 3 * theta[0, 1] ** 2
    np.testing.assert_allclose(gradient, expected, atol=1e-8)


def test_check_gradient_catches_a_wrong_gradient():
    def fun(t):
        return np.sum(t**2)

    assert check_gradient(fun, lambda t: 2 * t, np.array([1.0, -2.0, 3.0])) < 1e-9
    assert check_gradient(fun, lambda t: 2.01 * t, np.array([1.0, -2.0, 3.0])) > 1e-3


def test_discovery_finds_the_public_estimators():
    estimators = dict(all_estimators())
    assert estimators["LinearRegression"] is LinearRegression
    assert estimators["LogisticRegression"] is LogisticRegression


def test_check_instances_include_the_default_and_each_solver_variant():
    solvers = {estimator.solver for estimator in check_instances(LinearRegression)}
    assert solvers == {"auto", "gd", "sgd"}


def test_expected_failures_carry_reasons_and_only_where_they_apply():
    assert expected_failed_checks(LinearRegression()) == {}
    reasons = expected_failed_checks(LogisticRegression(solver="sgd"))
    assert set(reasons) == {
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    }
    assert all(len(reason) > 40 for reason in reasons.values())


@pytest.mark.parametrize("name", ["sklearn.linear_model", "sklearn.cluster", "sklearn.decomposition"])
def test_no_scikit_learn_algorithm_is_imported_by_the_package(name):
    import pathlib

    import skdl

    root = pathlib.Path(skdl.__file__).parent
    offenders = [
        str(path) for path in root.rglob("*.py")
        if path.parts[-2] != "_demo" and f"from {name} import" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def _classes_found_by_importing_every_module():
    import importlib
    import inspect
    import pkgutil

    import skdl

    names = set()
    for module_info in pkgutil.walk_packages(skdl.__path__, prefix="skdl."):
        if module_info.name.startswith("skdl._demo"):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except ImportError:  # a torch module where torch is missing
            continue
        names.update(
            f"{obj.__module__}.{obj.__qualname__}" for _, obj in inspect.getmembers(module, inspect.isclass)
            if obj.__module__ == module.__name__
        )
    return names


def test_trusted_types_lists_every_class_the_modules_define():
    from skdl.utils import trusted_types

    # Read from the sources, the list holds every class an import finds (the torch ones too,
    # whether torch is installed or not) and nothing that is not a class of skdl's.
    assert _classes_found_by_importing_every_module() <= set(trusted_types())
    assert "skdl.neural_network._cnn.CNNClassifier" in trusted_types()


def _run_python(script):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


def test_trusted_types_imports_no_torch():
    result = _run_python(
        "import sys\n"
        "from skdl.utils import trusted_types\n"
        "assert 'skdl.neural_network._cnn.CNNClassifier' in trusted_types()\n"
        "assert 'torch' not in sys.modules, 'trusted_types imported torch'\n"
    )
    assert result.returncode == 0, result.stderr


# Makes ``import torch`` fail, as on a machine without it.
_NO_TORCH = """
import sys
class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "skorch"):
            raise ImportError(f"No module named {name!r} (hidden by the test)", name=name)
sys.meta_path.insert(0, _NoTorch())
"""


def test_a_numpy_model_loads_with_skops_where_torch_cannot_be_imported(tmp_path):
    # skops itself imports torch where it is installed (skops.io lists scikit-learn's estimators
    # at import, and that walk imports array_api_compat's torch wrapper), so whether loading
    # imports torch is skops' business; what is skdl's is that nothing on the way needs it.
    pytest.importorskip("skops.io", reason="skops is in the 'distributed' extra")
    result = _run_python(
        _NO_TORCH
        + "import numpy as np, skops.io\n"
        "from skdl.linear_model import LinearRegression\n"
        "from skdl.utils import trusted_types\n"
        f"path = {str(tmp_path / 'model.skops')!r}\n"
        "model = LinearRegression().fit(np.eye(3), [1.0, 2.0, 3.0])\n"
        "skops.io.dump(model, path)\n"
        "loaded = skops.io.load(path, trusted=trusted_types())\n"
        "np.testing.assert_allclose(loaded.predict(np.eye(3)), model.predict(np.eye(3)))\n"
        "assert 'torch' not in sys.modules\n"
    )
    assert result.returncode == 0, result.stderr
