"""
Convolutional network on the digits: training curves and confusion matrix
=========================================================================

:class:`skdl.neural_network.CNNClassifier` trains a small VGG-style network on scikit-learn's
8x8 digits, from the flattened NumPy array (64 columns are read as square 8x8 images). With
``early_stopping=True`` it holds out 10% of the training data, records the validation loss of
every epoch in ``history_`` and keeps the weights of the best epoch. It takes well under a minute
on a CPU.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split

from skdl.neural_network import CNNClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)

model = CNNClassifier(early_stopping=True, n_iter_no_change=8, random_state=0).fit(X_train, y_train)
print(f"images of shape {model.input_shape_}, {model.n_iter_} epochs, best epoch {model.best_epoch_}")
print(f"test accuracy: {model.score(X_test, y_test):.4f}")

# %%
# The training and validation loss of each epoch, from skorch's history.
epochs = model.history_[:, "epoch"]
fig, (ax_loss, ax_matrix) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_loss.plot(epochs, model.history_[:, "train_loss"], label="training loss")
ax_loss.plot(epochs, model.history_[:, "valid_loss"], label="validation loss")
ax_loss.axvline(model.best_epoch_, color="grey", linestyle=":", label="best epoch (weights kept)")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("cross-entropy")
ax_loss.set_yscale("log")
ax_loss.legend()
ax_loss.set_title("Training curves")

# %%
# Where the remaining test errors are.
ConfusionMatrixDisplay.from_estimator(model, X_test, y_test, ax=ax_matrix, colorbar=False)
ax_matrix.set_title("Confusion matrix on the test split")
fig.tight_layout()
plt.show()
