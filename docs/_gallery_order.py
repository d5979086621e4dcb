"""Order the gallery as the courses run: linear models first, deep learning last.

sphinx-gallery sorts the examples of a folder with this key (``within_subsection_order`` in
``conf.py``). An example is placed by the first keyword of ``COURSE_ORDER`` found in its file
name; examples that match none come last, by file name, so a new example never breaks the build.
"""

import os

COURSE_ORDER = [
    "gradient_descent", "linear", "logistic", "regulari", "bias_variance",
    "mlp", "learning_curves", "neural", "backprop",
    "svm",
    "kmeans", "k_means", "elbow", "compress", "pca", "decomposition",
    "anomaly", "recommend", "collaborative",
    "cnn", "rnn", "deep",
]


class CourseOrderSortKey:
    """Sort key for sphinx-gallery: ``(rank in COURSE_ORDER, file name)``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    def __call__(self, filename):
        name = os.path.basename(filename)
        for rank, keyword in enumerate(COURSE_ORDER):
            if keyword in name:
                return (rank, name)
        return (len(COURSE_ORDER), name)
