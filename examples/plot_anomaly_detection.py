r"""
Anomaly detection with a Gaussian density (the course's exercise 8)
===================================================================

The course's anomaly detector models the throughput and latency of 307 servers with a Gaussian
density :math:`p(x)`, picks the threshold :math:`\varepsilon` that maximises F1 on a labelled
validation set, and flags the servers with :math:`p(x) < \varepsilon`.

:class:`skdl.anomaly.GaussianAnomalyDetector` does this as a scikit-learn outlier detector. The
left panel is the course's model (independent per-feature Gaussians, ``covariance="diag"``), the
right one the multivariate Gaussian (``covariance="full"``), whose contours can tilt with the
correlation between the metrics (weak here, so both models flag the same servers). Contours are
drawn at the course's densities :math:`10^{-20}, 10^{-17}, \dots, 10^{-2}` (as log-densities: the
detector works in log space), the thick red one at the chosen threshold; the circled points are
the flagged servers.
"""

# %%
# Fit both models on the unlabelled data and choose each threshold on the validation set.
import matplotlib.pyplot as plt
import numpy as np

from skdl.anomaly import GaussianAnomalyDetector
from skdl.datasets import load_server_metrics

data = load_server_metrics(1)
detectors = {
    covariance: GaussianAnomalyDetector(covariance).fit(data.X).select_threshold(data.X_val, data.y_val)
    for covariance in ("diag", "full")
}
for covariance, detector in detectors.items():
    print(
        f"{covariance}: epsilon = {detector.epsilon_:.3g}, validation F1 = {detector.threshold_f1_:.3f}, "
        f"{np.sum(detector.predict(data.X) == -1)} servers flagged"
    )

# %%
# Draw the log-density contours and the flagged servers.
grid_x, grid_y = np.meshgrid(np.linspace(0, 35, 300), np.linspace(0, 35, 300))
grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])

fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharex=True, sharey=True)
for ax, (covariance, detector) in zip(axes, detectors.items()):
    log_density = detector.score_samples(grid).reshape(grid_x.shape)
    course_levels = np.log(10.0) * np.arange(-20, 0, 3)
    ax.contour(grid_x, grid_y, log_density, levels=course_levels, cmap="viridis", linewidths=0.8)
    threshold_style = {"colors": "crimson", "linewidths": 2, "linestyles": "solid"}
    ax.contour(grid_x, grid_y, log_density, levels=[detector.offset_], **threshold_style)
    ax.scatter(data.X[:, 0], data.X[:, 1], s=8, c="black", marker="x")
    flagged = detector.predict(data.X) == -1
    ax.scatter(data.X[flagged, 0], data.X[flagged, 1], s=120, facecolors="none", edgecolors="crimson")
    ax.set_title(f'covariance="{covariance}": F1 {detector.threshold_f1_:.3f}, {flagged.sum()} flagged')
    ax.set_xlabel("throughput (mb/s)")
axes[0].set_ylabel("latency (ms)")
fig.tight_layout()
plt.show()
