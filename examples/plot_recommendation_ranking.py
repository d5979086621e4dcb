"""
=======================================================
Top-10 lists judged on held-out ratings, and a newcomer
=======================================================

A recommender is used through its top-N lists, so it should be judged by them:
of the ten movies it shows a user, how many did the user rate highly in ratings
it never saw? This example holds out 20% of MovieLens-100k, fits
:class:`~skdl.recommender.CollaborativeFilter` with and without implicit
feedback (SVD++: which movies a user chose to rate is itself a signal), and
scores each user's top 10 with :mod:`skdl.metrics` (a held-out rating of 4 or 5
is relevant; each list ranks every movie the user did not rate in training).
Then a new user rates eleven movies (the course's walkthrough) and is folded
into the fitted model with ``partial_fit``, without a refit.

Rating accuracy is not ranking quality: the most-rated movies a user has not
seen make a strong top-10 baseline, because which movies people rate (and so
which appear in a held-out set) is dominated by popularity, while a model of
the ratings' values ranks every unseen movie by its predicted rating.
Implicit feedback narrows the gap, as it lowers the RMSE.

The data are GroupLens's MovieLens-100k (F. Maxwell Harper and Joseph A.
Konstan, 2015, "The MovieLens Datasets: History and Context", ACM TiiS 5(4)).
"""

# %%
# Hold out 20% of the ratings
# ---------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

from skdl.datasets import load_movielens
from skdl.metrics import ndcg_at_k, precision_at_k, recall_at_k
from skdl.recommender import CollaborativeFilter

movielens = load_movielens()
X, y, titles = movielens.data, movielens.target, movielens.titles
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
users = np.unique(X_test[y_test >= 4, 0])  # the users with a relevant held-out rating
print(f"{len(y_train)} training ratings, {len(y_test)} held out; {len(users)} users to rank for")

# %%
# Two models and a popularity baseline
# ------------------------------------
# ``recommend`` takes an array of users and returns one list per user, scored
# for all of them by matrix products and leaving out what each user rated. The
# baseline recommends the most-rated movies the user has not rated.
models = {
    "CollaborativeFilter()": CollaborativeFilter(random_state=0),
    "CollaborativeFilter(implicit=True)": CollaborativeFilter(implicit=True, random_state=0),
}
counts = np.bincount(X_train[:, 1], minlength=len(titles) + 1)
by_popularity = np.argsort(-counts[1:], kind="stable") + 1
seen = {user: set(X_train[X_train[:, 0] == user, 1]) for user in users}
lists = {"most rated": {u: [m for m in by_popularity[:40] if m not in seen[u]][:20] for u in users}}
rmse = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    rmse[name] = mean_squared_error(y_test, model.predict(X_test)) ** 0.5
    lists[name] = dict(zip(users, model.recommend(users, n=20)))

print(f"{'':36s} {'RMSE':>6s} {'P@10':>6s} {'R@10':>6s} {'NDCG@10':>8s}")
for name, recommended in lists.items():
    scores = [metric(X_test, y_test, recommended, k=10) for metric in (precision_at_k, recall_at_k, ndcg_at_k)]
    error = f"{rmse[name]:6.4f}" if name in rmse else "     -"
    print(f"{name:36s} {error} {scores[0]:6.4f} {scores[1]:6.4f} {scores[2]:8.4f}")

# %%
# Precision and NDCG at each list length
# --------------------------------------
ks = np.arange(1, 21)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
for name, recommended in lists.items():
    axes[0].plot(ks, [precision_at_k(X_test, y_test, recommended, k=k) for k in ks], marker=".", label=name)
    axes[1].plot(ks, [ndcg_at_k(X_test, y_test, recommended, k=k) for k in ks], marker=".", label=name)
axes[0].set(xlabel="k", ylabel="precision@k", title="Share of the list rated 4 or 5")
axes[1].set(xlabel="k", ylabel="NDCG@k", title="Hits near the top count more")
axes[1].legend(fontsize=8)
fig.tight_layout()

# %%
# A new user, folded in without a refit
# -------------------------------------
# The course's new user (id 0, which no MovieLens user has) rates eleven movies.
# ``partial_fit`` solves this user's factors against the fixed movie factors
# (with implicit feedback, the user's vector also gains the normalised sum of
# the rated movies' implicit factors) and updates the eleven movies; it costs
# time in proportion to those rows, not to the 80,000 stored ratings.
my_ratings = {1: 4, 98: 2, 7: 3, 12: 5, 54: 4, 64: 5, 66: 3, 69: 5, 183: 4, 226: 5, 355: 5}
X_new = np.array([[0, movie] for movie in my_ratings])
y_new = np.array(list(my_ratings.values()), dtype=float)
model = models["CollaborativeFilter(implicit=True)"].partial_fit(X_new, y_new)
recommended = model.recommend(0, n=10)
predicted = model.predict(np.column_stack([np.zeros(10, dtype=int), recommended]))
for movie, rating in zip(recommended, predicted):
    print(f"{rating:.2f}  {titles[movie - 1]}")

# %%
# The newcomer's list, drawn
# --------------------------
# The number of training ratings of each movie shows these are well-known films,
# not obscure ones with a lucky mean.
fig, ax = plt.subplots(figsize=(8, 4.5))
positions = np.arange(10)[::-1]
ax.barh(positions, predicted, color="tab:green")
ax.set_yticks(positions, [f"{titles[m - 1]} ({counts[m]} ratings)" for m in recommended])
ax.set_xlim(1, 5)
ax.set_xlabel("predicted rating")
ax.set_title("Top 10 for the new user, after partial_fit (implicit=True)")
fig.tight_layout()
plt.show()
