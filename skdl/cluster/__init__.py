"""Clustering: K-means (Lloyd's algorithm with k-means++ or the course's random initialisation)."""

from ._kmeans import KMeans

__all__ = ["KMeans"]
