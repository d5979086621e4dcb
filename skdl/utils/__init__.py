"""Utilities: the numerical gradient checker, persistence helpers, estimator discovery and checks."""

from ._gradient_check import check_gradient, numerical_gradient
from ._persistence import trusted_types

__all__ = ["check_gradient", "numerical_gradient", "trusted_types"]
