"""Dimensionality reduction: principal component analysis (full SVD, covariance eigh, randomized SVD)."""

from ._pca import PCA

__all__ = ["PCA"]
