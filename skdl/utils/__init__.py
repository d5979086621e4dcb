"""Utilities: the numerical gradient checker, estimator discovery and the estimator-check settings."""

from ._gradient_check import check_gradient, numerical_gradient

__all__ = ["check_gradient", "numerical_gradient"]
