"""skdl: the algorithms of the machine-learning and deep-learning courses as scikit-learn estimators.

The subpackages hold the estimators (``skdl.linear_model``, ...) and the bundled data
(``skdl.datasets``). Importing skdl never imports torch; the deep estimators load it when used.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
