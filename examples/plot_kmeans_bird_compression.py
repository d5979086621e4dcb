"""
Compressing an image to 16 colours with K-means
===============================================

The course's exercise 7 stores a 128 x 128 photograph of a bird in 24-bit colour and redraws it
with only 16 colours: every pixel is a point in RGB space, K-means groups the 16,384 pixels into
16 clusters, and each pixel is replaced by its cluster's centroid. The image then needs a
16-entry palette and 4 bits per pixel instead of 24.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skdl.cluster import KMeans
from skdl.datasets import load_bird_image

image = load_bird_image()
pixels = image.reshape(-1, 3) / 255.0

# The course's run: 16 random pixels as the starting colours, stopped after 10 iterations.
kmeans = KMeans(n_clusters=16, init="random", n_init=1, max_iter=10, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # stopping at 10 iterations on purpose
    labels = kmeans.fit_predict(pixels)
compressed = kmeans.cluster_centers_[labels].reshape(image.shape)

error = np.mean((pixels - compressed.reshape(-1, 3)) ** 2)
print(f"{len(np.unique(labels))} colours, mean squared error per channel {error:.4f}")

fig, (before, after) = plt.subplots(1, 2, figsize=(8, 4))
before.imshow(image)
before.set_title("Original (24-bit colour)")
after.imshow(compressed)
after.set_title("Compressed, with 16 colours")
for axis in (before, after):
    axis.axis("off")
fig.tight_layout()
plt.show()
