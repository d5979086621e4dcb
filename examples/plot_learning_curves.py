"""
Learning curves and validation curves: diagnosing bias and variance
===================================================================

The course's recipe for deciding what to try next (exercise 5): plot the training error and the
cross-validation error

* as the training set grows (a **learning curve**): when both errors stay high and close, the
  model has **high bias** (more data will not help; add features or units); when the training
  error is low and the validation error far above it, it has **high variance** (more data or a
  larger :math:`\\lambda` will help);
* as the regularisation :math:`\\lambda` grows (a **validation curve**): pick the
  :math:`\\lambda` of lowest validation error.

scikit-learn's :func:`~sklearn.model_selection.learning_curve` and
:func:`~sklearn.model_selection.validation_curve` do the bookkeeping; skdl's estimators are
ordinary scikit-learn estimators, so they plug in. The errors are the course's
:math:`J = \\frac{1}{2m}\\sum_i (h(x_i) - y_i)^2` without the penalty.

First the course's dam data (``ex5data1``): 12 training rows, 21 validation rows. A
:class:`~skdl.neural_network.MLPRegressor` without hidden layers is linear regression, and with
``alpha`` :math:`= \\lambda` it minimises the course's regularised cost, so on polynomial features it
is the course's regularised polynomial regression (trained here by full-batch Adam).
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import PredefinedSplit, StratifiedKFold, learning_curve, validation_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skdl.datasets import load_water_outflow
from skdl.neural_network import MLPClassifier, MLPRegressor

data = load_water_outflow()
X = np.vstack([data.X, data.X_val])
y = np.concatenate([data.y, data.y_val])
# One split: the course's 12 training rows against its 21 validation rows.
split = PredefinedSplit(np.r_[np.full(len(data.y), -1), np.zeros(len(data.y_val), dtype=int)])


def polynomial_regression(degree, lam):
    network = MLPRegressor(hidden_layer_sizes=(), alpha=lam, batch_size=None, learning_rate=0.1,
                           max_iter=2000, tol=1e-7, n_iter_no_change=50, random_state=0)
    return make_pipeline(PolynomialFeatures(degree, include_bias=False), StandardScaler(), network)


def half_mse(scores):
    return -scores.mean(axis=1) / 2


fig, axes = plt.subplots(1, 3, figsize=(14, 4))
for ax, degree, title in [(axes[0], 1, "linear: high bias"), (axes[1], 8, "degree 8, $\\lambda = 0$: high variance")]:
    sizes, train, val = learning_curve(
        polynomial_regression(degree, 0.0), X, y, cv=split, train_sizes=np.arange(2, 13),
        scoring="neg_mean_squared_error", shuffle=False,
    )
    ax.plot(sizes, half_mse(train), "o-", label="train")
    ax.plot(sizes, half_mse(val), "s-", label="cross validation")
    ax.set(title=title, xlabel="training examples", ylabel="error", ylim=(0, 150))
    ax.legend()

lambdas = np.array([0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10])
train, val = validation_curve(
    polynomial_regression(8, 0.0), X, y, param_name="mlpregressor__alpha", param_range=lambdas,
    cv=split, scoring="neg_mean_squared_error",
)
axes[2].plot(lambdas, half_mse(train), "o-", label="train")
axes[2].plot(lambdas, half_mse(val), "s-", label="cross validation")
axes[2].set(title=f"degree 8: choosing $\\lambda$ (best {lambdas[np.argmin(half_mse(val))]:g})",
            xlabel="$\\lambda$", ylabel="error", xscale="symlog", xlim=(0, 10))
axes[2].set_xscale("symlog", linthresh=1e-3)
axes[2].legend()
fig.tight_layout()

# %%
# Handwritten digits
# ------------------
# The same diagnosis for a network with a hidden layer on scikit-learn's 8x8 digits: a small network
# (2 tanh units, trained to convergence) has high bias, its two curves meeting at a high error; a larger one (64 ReLU
# units) fits the training rows almost perfectly and its validation error keeps falling with more
# data, the signature of a model that would profit from more examples.

X_digits, y_digits = load_digits(return_X_y=True)
X_digits = X_digits / 16.0
cv = StratifiedKFold(3, shuffle=True, random_state=0)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
networks = [
    ("2 tanh units", MLPClassifier(hidden_layer_sizes=(2,), activation="tanh", learning_rate=0.02,
                                   batch_size=64, max_iter=300, random_state=0)),
    ("64 ReLU units", MLPClassifier(hidden_layer_sizes=(64,), learning_rate=0.01, batch_size=64,
                                    max_iter=300, random_state=0)),
]
for ax, (title, network) in zip(axes, networks):
    sizes, train, val = learning_curve(network, X_digits, y_digits, cv=cv, train_sizes=np.linspace(0.1, 1.0, 5))
    ax.plot(sizes, 1 - train.mean(axis=1), "o-", label="train")
    ax.plot(sizes, 1 - val.mean(axis=1), "s-", label="cross validation")
    ax.set(title=title, xlabel="training examples", ylabel="misclassification rate")
    ax.legend()
fig.tight_layout()
plt.show()
