"""
Image augmentation on the digits: what it draws, and what it does to test accuracy
===================================================================================

Dive into Deep Learning (section 14.1) augments training images with random crops, flips and
small rotations, so that a network sees a slightly different image at every epoch.
:class:`skdl.neural_network.CNNClassifier` does it with ``augment=``: each training batch is
transformed on the device where it is, with random numbers drawn from ``random_state``.
Prediction never augments.

Horizontal flips are off by default: a mirrored 3 is no 3. The grid below shows the defaults of
:class:`~skdl.neural_network.ImageAugmentation` on a few digits: random crops with one pixel of
padding (a shift of up to one pixel), rotations of up to 10 degrees and zooms of up to 10%.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdl.neural_network import CNNClassifier, ImageAugmentation

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

augment = ImageAugmentation()
generator = torch.Generator().manual_seed(0)
originals = torch.from_numpy(X_train[:6])
fig, axes = plt.subplots(6, 7, figsize=(7, 6.4))
for row, image in enumerate(originals):
    axes[row, 0].imshow(image[0], cmap="gray_r")
    copies = augment(image.expand(6, 1, 8, 8), generator)
    for column, copy in enumerate(copies, start=1):
        axes[row, column].imshow(copy[0], cmap="gray_r")
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_title("original")
axes[0, 3].set_title("six random draws of ImageAugmentation()")
fig.tight_layout()

# %%
# What it does to test accuracy
# -----------------------------
# The digits of scikit-learn are centred and fill their 8x8 frame, so the test images look like
# the training images and a one-pixel shift cuts off an eighth of a digit: on the test split as
# it is, augmentation costs a little accuracy. What it buys is robustness: on a copy of the test
# images shifted by up to a pixel and rotated by up to 15 degrees, the network trained on
# augmented images makes far fewer errors.
perturb = ImageAugmentation(crop_padding=1, rotation=15.0, scale=0.0)
X_moved = perturb(torch.from_numpy(X_test), torch.Generator().manual_seed(1)).numpy()

scores = {}
for name, setting in [("no augmentation", None), ("augment=True", True)]:
    model = CNNClassifier("lenet", augment=setting, max_epochs=30, random_state=0).fit(X_train, y_train)
    scores[name] = (model.score(X_test, y_test), model.score(X_moved, y_test))
    print(f"{name:<16} test accuracy {scores[name][0]:.3f}, on shifted and rotated test images {scores[name][1]:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
positions = np.arange(2)
for offset, (name, (plain, moved)) in zip((-0.2, 0.2), scores.items()):
    ax.bar(positions + offset, [plain, moved], width=0.4, label=name)
ax.set_xticks(positions, ["test images", "shifted and rotated test images"])
ax.set_ylim(0.5, 1.0)
ax.set_ylabel("accuracy")
ax.legend(loc="lower left")
ax.set_title("LeNet on the digits, 30 epochs")
fig.tight_layout()
plt.show()
