"""
Fine-tuning: a network trained on the digits 0-4 learns 5-9 from a few examples
===============================================================================

Dive into Deep Learning (section 14.2) fine-tunes a network trained on a large source data set
onto a small target one: copy every layer but the output layer, give the target a new output
layer, and train the copied layers slowly (the book: the new layer learns 10 times faster) or not
at all. :class:`skdl.neural_network.CNNClassifier` does it with ``warm_start`` (a fitted
estimator or a torch module), ``output_lr_multiplier`` and ``freeze_backbone``.

Here the source task is the digits 0-4 (all their training images) and the target task the
digits 5-9, from a few of their training images only: from 2 to 17 per class.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdl.neural_network import CNNClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)
source_rows, target_test = y_train < 5, y_test >= 5

source = CNNClassifier("lenet_bn", max_epochs=10, random_state=0).fit(X_train[source_rows], y_train[source_rows])
print(f"source network: {source.score(X_test[~target_test], y_test[~target_test]):.3f} on the digits 0-4")

# %%
# Four ways to learn the digits 5-9 from the same few images, 30 epochs each: from scratch,
# fine-tuned (all layers, the new output layer at 10x the learning rate), with the source's
# features frozen (only the output layer learns), and with random features frozen (how much of
# the frozen result the source's features explain).
ways = {
    "from scratch": dict(),
    "fine-tuned, output lr x10": dict(warm_start=source, output_lr_multiplier=10.0),
    "source features frozen": dict(warm_start=source, freeze_backbone=True, lr=1e-2),
    "random features frozen": dict(freeze_backbone=True, lr=1e-2),
}
every = [64, 32, 16, 8]
sizes, scores = [], {name: [] for name in ways}
for step in every:
    rows = np.flatnonzero(~source_rows)[::step]
    sizes.append(len(rows) / 5)
    for name, params in ways.items():
        model = CNNClassifier("lenet_bn", max_epochs=30, random_state=0, **params).fit(X_train[rows], y_train[rows])
        scores[name].append(model.score(X_test[target_test], y_test[target_test]))
for name, values in scores.items():
    print(f"{name:<28}" + "  ".join(f"{size:4.1f}/class: {score:.3f}" for size, score in zip(sizes, values)))

fig, ax = plt.subplots(figsize=(7, 4))
for name, values in scores.items():
    ax.plot(sizes, values, marker="o", label=name, linestyle=":" if name.startswith("random") else "-")
ax.set_xscale("log")
ax.set_xticks(sizes, [f"{size:.0f}" for size in sizes])
ax.set_xlabel("training images per class of the target digits 5-9")
ax.set_ylabel("test accuracy on 5-9")
ax.set_ylim(0, 1)
ax.legend(loc="lower right")
ax.set_title("Fine-tuning a LeNet trained on the digits 0-4")
fig.tight_layout()
plt.show()

# %%
# With two to four images per class the source's features are worth most: fine-tuning beats
# training from scratch by a wide margin, and the frozen source features alone beat random ones
# at every size. With more images the target's own data catch up: fine-tuning pays when the
# target data set is small, the situation the book's chapter starts from.
