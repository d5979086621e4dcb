"""Support vector machines: the course's large-margin classifiers, with kernels.

:class:`SVC` solves the kernel SVM's dual by SMO with libsvm's working-set selection, shrinking and
kernel cache; :class:`LinearSVC` solves the linear SVM for large sparse data by dual coordinate
descent, as liblinear.
"""

from ._kernels import gaussian_kernel
from ._linear_svc import LinearSVC
from ._svc import SVC

__all__ = ["LinearSVC", "SVC", "gaussian_kernel"]
