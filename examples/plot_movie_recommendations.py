"""
=================================================
Movie recommendations for a new user (MovieLens)
=================================================

The course's recommender walkthrough (exercise 8): a new user rates eleven
movies of MovieLens-100k, the model is refitted with those ratings, and the
movies with the highest predicted rating that the user has not seen are
recommended.

:class:`~skdl.recommender.CollaborativeFilter` learns a global mean, a bias per
user and per movie, and ten latent factors per user and per movie by
alternating least squares, on the 100,000 ratings stored sparse. The data are
GroupLens's MovieLens-100k (F. Maxwell Harper and Joseph A. Konstan, 2015, "The
MovieLens Datasets: History and Context", ACM TiiS 5(4)).
"""

# %%
# The new user's ratings
# ----------------------
# The course's ``my_ratings``, by (1-based) movie id. The new user gets the id
# 0, which no MovieLens user has.
import matplotlib.pyplot as plt
import numpy as np

from skdl.datasets import load_movielens
from skdl.recommender import CollaborativeFilter

movielens = load_movielens()
X, y, titles = movielens.data, movielens.target, movielens.titles

my_ratings = {1: 4, 98: 2, 7: 3, 12: 5, 54: 4, 64: 5, 66: 3, 69: 5, 183: 4, 226: 5, 355: 5}
for movie, rating in my_ratings.items():
    print(f"Rated {rating} for {titles[movie - 1]}")

X_new = np.array([[0, movie] for movie in my_ratings])
y_new = np.array(list(my_ratings.values()), dtype=float)

# %%
# Refit with the new ratings and recommend
# ----------------------------------------
# As in the course, the model is fitted on all ratings, the new user's
# included. ``recommend`` leaves out the movies the user has rated.
model = CollaborativeFilter(random_state=0).fit(np.vstack([X, X_new]), np.concatenate([y, y_new]))
recommended = model.recommend(0, n=10)
predicted = model.predict(np.column_stack([np.zeros(10, dtype=int), recommended]))

print("\nTop recommendations for you:")
for movie, rating in zip(recommended, predicted):
    print(f"Predicting rating {rating:.1f} for movie {titles[movie - 1]}")

# %%
# Without a refit: ``partial_fit``
# --------------------------------
# A model fitted once on MovieLens can take the newcomer's ratings with
# ``partial_fit``: their factors are solved against the fixed movie factors in
# one least-squares step, so the recommendations are there at once.
base = CollaborativeFilter(random_state=0).fit(X, y)
quick = base.partial_fit(X_new, y_new).recommend(0, n=10)
print(f"\npartial_fit shares {len(set(quick) & set(recommended))} of the 10 movies with the refit.")

# %%
# The recommendations, drawn
# --------------------------
# Bars are the predicted ratings; the number of MovieLens ratings of each movie
# shows that these are well-known films, not obscure ones with a lucky mean.
counts = np.bincount(X[:, 1], minlength=len(titles) + 1)
fig, ax = plt.subplots(figsize=(8, 4.5))
positions = np.arange(10)[::-1]
ax.barh(positions, predicted, color="tab:blue")
ax.set_yticks(positions, [f"{titles[m - 1]} ({counts[m]} ratings)" for m in recommended])
ax.set_xlim(1, 5)
ax.set_xlabel("predicted rating")
ax.set_title("Top-10 movies for the course's new user")
fig.tight_layout()
plt.show()
