"""Recommender systems: collaborative filtering by low-rank matrix factorisation."""

from ._collaborative import CollaborativeFilter

__all__ = ["CollaborativeFilter"]
