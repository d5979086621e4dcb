"""
=====================================================
Gradient descent: the cost per iteration by step size
=====================================================

The course's convergence plot (exercise 1, multiple variables): batch gradient
descent on the Portland house prices, with the cost :math:`J(\\theta)` recorded
after every iteration, for several learning rates :math:`\\alpha`.

:class:`~skdl.linear_model.LinearRegression` with ``solver="gd"`` standardises
the features internally (the course's ``featureNormalize``), runs gradient
descent, and records the cost of each epoch in ``loss_curve_``, in the units of
the target (dollars squared). A step that is too small converges slowly; the
largest steps that still converge get there fastest. The dashed line is the
minimum, from the normal equation (``solver="normal"``).
"""

# %%
# Fit with five learning rates
# ----------------------------
# ``max_iter=50`` and ``tol=0`` run exactly 50 iterations, as in the course.
# Spending the whole iteration budget raises scikit-learn's
# :class:`~sklearn.exceptions.ConvergenceWarning`; here that is the point, so
# the warning is silenced.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skdl.datasets import load_house_prices
from skdl.linear_model import LinearRegression

X, y = load_house_prices(return_X_y=True)

curves = {}
for rate in [0.003, 0.01, 0.03, 0.1, 0.3]:
    model = LinearRegression(
        solver="gd", learning_rate=rate, max_iter=50, tol=0.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    curves[rate] = model.loss_curve_

exact = LinearRegression(solver="normal").fit(X, y)
minimum = np.mean((exact.predict(X) - y) ** 2) / 2

# %%
# The convergence plot
# --------------------
fig, ax = plt.subplots(figsize=(7, 4.5))
for rate, curve in curves.items():
    iterations = np.arange(1, len(curve) + 1)
    ax.plot(iterations, curve, label=rf"$\alpha$ = {rate}")
ax.axhline(minimum, color="k", linestyle="--", linewidth=1,
           label="normal equation")
ax.set_yscale("log")
ax.set_ylim(minimum * 0.85, max(c[0] for c in curves.values()) * 2.5)
ax.set_xlabel("iteration")
ax.set_ylabel(r"cost $J(\theta)$ (dollars$^2$)")
ax.set_title("Batch gradient descent on the house prices")
ax.legend(ncol=3, loc="upper right", fontsize=9)
fig.tight_layout()
plt.show()

# %%
# After 50 iterations, how far each run is from the minimum of the cost:
for rate, curve in curves.items():
    excess = curve[-1] / minimum - 1
    print(f"alpha = {rate:<5}  J = {curve[-1]:.4e}  ({excess:+.1%})")

# %%
# A step that is too large overshoots the minimum and the cost grows. The
# solvers' stopping test is scikit-learn's (stop when an epoch fails to lower
# the cost), so such a run ends after a few iterations, far from the minimum;
# ``loss_curve_`` shows it:
too_large = LinearRegression(
    solver="gd", learning_rate=1.3, max_iter=50, tol=0.0
).fit(X, y)
print(f"alpha = 1.3: stopped after {too_large.n_iter_} iterations")
print("costs:", np.round(too_large.loss_curve_, -6))

# %%
# With :math:`\alpha = 0.1` and a few hundred iterations, gradient descent
# reaches the normal equation's answer: the course's predicted price of a
# 1650 sq-ft, 3-bedroom house is about $293,081.
model = LinearRegression(
    solver="gd", learning_rate=0.1, max_iter=2000, tol=1e-12
).fit(X, y)
house = [[1650, 3]]
print(f"gradient descent: ${model.predict(house)[0]:,.0f}"
      f" after {model.n_iter_} iterations")
print(f"normal equation:  ${exact.predict(house)[0]:,.0f}")
