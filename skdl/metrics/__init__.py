"""Ranking metrics for recommenders: how good the top-k lists are on held-out ratings."""

from ._ranking import make_ranking_scorer, map_at_k, ndcg_at_k, precision_at_k, recall_at_k

__all__ = ["make_ranking_scorer", "map_at_k", "ndcg_at_k", "precision_at_k", "recall_at_k"]
