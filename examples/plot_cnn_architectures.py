"""
The convolutional networks of Dive into Deep Learning on the digits: accuracy and fit time
==========================================================================================

:class:`skdl.neural_network.CNNClassifier` has the networks of the book's chapters 7 and 8 as
``architecture=``: LeNet (7.6), its batch-normalised version (8.5), AlexNet (8.1), VGG-11 (8.2),
Network in Network (8.3), GoogLeNet (8.4), ResNet-18 (8.6) and DenseNet (8.7). Each is sized
from the image shape: the book's downsampling stem is used only on images of at least 64 pixels
a side, so on the 8x8 digits every network reaches its body at 8x8.

To keep this page quick each trains for 8 epochs (the default is 20; the user guide lists the
accuracy of each with its defaults). The fit times are CPU seconds on one thread.
"""

import time

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdl.neural_network import CNNClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)

architectures = ["lenet", "lenet_bn", "alexnet", "vgg", "nin", "googlenet", "resnet", "densenet"]
accuracy, seconds, parameters = {}, {}, {}
for architecture in architectures:
    start = time.process_time()
    model = CNNClassifier(architecture, max_epochs=8, device="cpu", random_state=0).fit(X_train, y_train)
    seconds[architecture] = time.process_time() - start
    accuracy[architecture] = model.score(X_test, y_test)
    parameters[architecture] = sum(parameter.numel() for parameter in model.module_.parameters())
    print(f"{architecture:<10} test accuracy {accuracy[architecture]:.3f}  fit {seconds[architecture]:5.1f} s  "
          f"{parameters[architecture]:>9,} parameters")

# %%
# Accuracy against fit time. On images this small the deep networks buy little: the
# batch-normalised LeNet is about as accurate as any of them after 8 epochs, in a fraction of
# their time. With the default 20 epochs they all reach about 0.98 (see the user guide).
fig, ax = plt.subplots(figsize=(7, 4.5))
for architecture in architectures:
    ax.scatter(seconds[architecture], accuracy[architecture], s=20 + parameters[architecture] / 2e4)
    ax.annotate(architecture, (seconds[architecture], accuracy[architecture]), textcoords="offset points",
                xytext=(6, 4))
ax.set_xscale("log")
ax.set_xlabel("fit time (CPU seconds, one thread, log scale)")
ax.set_ylabel("test accuracy")
ax.set_title("d2l's CNNs on the 8x8 digits, 8 epochs (marker area ~ parameters)")
fig.tight_layout()
plt.show()
