"""
=====================================================
Logistic regression: the admissions decision boundary
=====================================================

The course's exercise 2: predict whether a student is admitted from two exam
scores (``ex2data1.txt``, loaded by
:func:`~skdl.datasets.load_exam_admissions`).

An unpenalised :class:`~skdl.linear_model.LogisticRegression`
(``penalty=None``, the course's :math:`\\lambda = 0`) models
:math:`P(y = 1 \\mid x) = \\sigma(\\theta_0 + \\theta_1 x_1 + \\theta_2 x_2)`;
its decision boundary is the line where the probability is one half,
:math:`\\theta_0 + \\theta_1 x_1 + \\theta_2 x_2 = 0`.
"""

# %%
# Fit, and the course's check values
# ----------------------------------
# The course finds the cost 0.203 at the optimum, an admission probability of
# 0.776 for exam scores 45 and 85, and a training accuracy of 89 %.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import log_loss

from skdl.datasets import load_exam_admissions
from skdl.linear_model import LogisticRegression

X, y = load_exam_admissions(return_X_y=True)
model = LogisticRegression(penalty=None).fit(X, y)

theta_0, (theta_1, theta_2) = model.intercept_[0], model.coef_[0]
cost = log_loss(y, model.predict_proba(X))
p_admit = model.predict_proba([[45, 85]])[0, 1]
print(f"theta = [{theta_0:.3f}, {theta_1:.3f}, {theta_2:.3f}]"
      "   (course: [-25.161, 0.206, 0.201])")
print(f"cost at theta = {cost:.3f}   (course: 0.203)")
print(f"P(admitted | 45, 85) = {p_admit:.3f}   (course: 0.776)")
print(f"training accuracy = {model.score(X, y):.0%}   (course: 89%)")

# %%
# The decision boundary
# ---------------------
# The straight line :math:`x_2 = -(\theta_0 + \theta_1 x_1) / \theta_2`, over
# the data, with the probability of admission as shaded contours.
fig, ax = plt.subplots(figsize=(6.5, 5.5))
axis = np.linspace(28, 102, 200)
grid_1, grid_2 = np.meshgrid(axis, axis)
grid = np.column_stack([grid_1.ravel(), grid_2.ravel()])
proba = model.predict_proba(grid)[:, 1].reshape(grid_1.shape)
shading = ax.contourf(grid_1, grid_2, proba, levels=np.linspace(0, 1, 11),
                      cmap="RdBu", alpha=0.25)
fig.colorbar(shading, ax=ax, label="P(admitted)")
ax.scatter(*X[y == 1].T, marker="+", c="k", s=50, label="admitted")
ax.scatter(*X[y == 0].T, marker="o", facecolors="gold", edgecolors="k",
           s=35, label="not admitted")
x_1 = np.array([28, 102])
ax.plot(x_1, -(theta_0 + theta_1 * x_1) / theta_2, "b-",
        label="decision boundary")
ax.set_xlim(28, 102)
ax.set_ylim(28, 102)
ax.set_xlabel("exam 1 score")
ax.set_ylabel("exam 2 score")
ax.set_title("Admissions: logistic regression, no penalty")
ax.legend(loc="upper right")
fig.tight_layout()
plt.show()
