"""A convolutional network classifier for images: LeNet, a small VGG or a ResNet, trained by skorch."""

import math
from numbers import Integral

import numpy as np

from ..utils._compat import Interval, StrOptions, validate_data
from ._modules import build_cnn
from ._skorch_base import SkorchClassifierBase

_DEFAULT_WIDTH = {"lenet": 16, "vgg": 32, "resnet": 32}


def image_shape(data_shape, input_shape):
    """The (channels, height, width) of each image, from ``X.shape[1:]`` and ``input_shape``.

    4-D ``X`` holds images, 3-D ``X`` single-channel images. A 2-D ``X`` is reshaped to
    ``input_shape`` when given, to a square single-channel image when its number of columns is a
    perfect square, and otherwise read as a one-row image (each row a 1-D signal).
    """
    if input_shape is not None:
        input_shape = tuple(int(size) for size in input_shape)
        input_shape = (1, *input_shape) if len(input_shape) == 2 else input_shape
    if len(data_shape) == 3:
        shape = tuple(data_shape)
        if input_shape is not None and input_shape != shape:
            raise ValueError(f"X holds images of shape {shape}, but input_shape is {input_shape}.")
        return shape
    if len(data_shape) == 2:
        return image_shape((1, *data_shape), input_shape)
    (n_features,) = data_shape
    if input_shape is not None:
        if math.prod(input_shape) != n_features:
            raise ValueError(
                f"X has {n_features} features per row, which cannot be reshaped to input_shape "
                f"{input_shape} ({math.prod(input_shape)} values)."
            )
        return input_shape
    side = math.isqrt(n_features)
    return (1, side, side) if side * side == n_features else (1, 1, n_features)


class CNNClassifier(SkorchClassifierBase):
    """Convolutional network classifier for images, on torch, trained through skorch.

    Parameters
    ----------
    architecture : {"lenet", "vgg", "resnet"}, default="vgg"
        ``"lenet"``: LeNet-5's two 5x5 convolution + max-pooling stages and a dense hidden layer;
        ``"vgg"``: three blocks of two batch-normalised 3x3 convolutions and a pooling, then a
        dense hidden layer; ``"resnet"``: a 3x3 stem and three stages of two residual blocks with
        batch normalisation, then global average pooling. All are sized from the image shape.
    input_shape : tuple of int, default=None
        ``(channels, height, width)`` or ``(height, width)`` of the images of a 2-D ``X``. By
        default a 2-D ``X`` with a perfect-square number of columns is read as square
        single-channel images, and any other 2-D ``X`` as one-row images (each row a 1-D
        signal): give ``input_shape`` for flattened images that are not square.
    width : int, default=None
        Channels of the first convolution stage (doubled by each later stage). None means 16
        for ``"lenet"`` and 32 for ``"vgg"`` and ``"resnet"``.
    hidden_size : int, default=128
        Units of the dense hidden layer (``"lenet"`` and ``"vgg"``; ``"resnet"`` has none).
    dropout : float, default=0.5
        Dropout probability before the output layer.
    max_epochs : int, default=20
        Number of passes over the training data.
    batch_size : int, default=32
        Samples per mini-batch.
    lr : float, default=3e-3
        Learning rate (the start of the schedule).
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
        AdamW (decoupled weight decay), Adam, or SGD with Nesterov momentum 0.9.
    weight_decay : float, default=5e-4
        Weight decay of the optimiser.
    schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"`` decays the learning rate from ``lr`` to ``lr / 100`` over ``max_epochs``
        epochs (one step per epoch); ``"constant"`` keeps ``lr``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified), stop when the
        validation loss has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    n_iter_no_change : int, default=5
        Epochs without improvement before early stopping.
    tol : float, default=1e-4
        Smallest decrease of the validation loss that counts as an improvement.
    device : str, default="auto"
        Where to train: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:1"``, ...
    n_jobs : int, default=None
        torch CPU threads while fitting and predicting: None means 1, as in scikit-learn (small
        networks gain little from more, and shared cores make torch's threads wait on each
        other), ``-1`` means all cores.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, the shuffling and the validation split: on the
        CPU a fixed value gives the same network every time.
    verbose : int, default=0
        Above 0, skorch prints a line per epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    input_shape_ : tuple of int
        ``(channels, height, width)`` of the images the network was built for.
    device_ : str
        The device the network lives on.
    net_ : skorch.NeuralNet
        The skorch net that trained the module.
    module_ : torch.nn.Module
        The trained network (``net_.module_``).
    history_ : skorch.History
        One entry per epoch: ``train_loss``, ``valid_loss`` (with early stopping), ``dur``, ...
    n_iter_ : int
        Epochs run by the last call to ``fit`` or ``partial_fit``.
    best_epoch_ : int
        The epoch whose weights were restored (only with ``early_stopping``).
    n_features_in_ : int
        ``X.shape[1]`` seen during ``fit`` (columns of a 2-D ``X``, channels of a 4-D one).

    See Also
    --------
    RNNClassifier : The recurrent counterpart, for text and sequences.
    skorch.NeuralNetClassifier : The engine, without the scikit-learn contract kept here.

    Notes
    -----
    The network minimises the cross-entropy of the softmax of its outputs,

    .. math:: J(\\theta) = -\\frac{1}{m}\\sum_i \\log \\operatorname{softmax}(f_\\theta(x_i))_{y_i},

    with mini-batch AdamW and a cosine learning-rate schedule. The whole data set is moved to the
    device once (when it takes less than half the free GPU memory) and batches are cut from it by
    index; prediction runs in batches of 2048 without autograd.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import CNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((64, 1, 8, 8), dtype=np.float32)
    >>> y = (X[:, 0, :4].mean(axis=(1, 2)) > X[:, 0, 4:].mean(axis=(1, 2))).astype(int)
    >>> model = CNNClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> model.input_shape_
    (1, 8, 8)
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **SkorchClassifierBase._parameter_constraints,
        "architecture": [StrOptions({"lenet", "vgg", "resnet"})],
        "input_shape": [tuple, list, None],
        "width": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        architecture="vgg",
        *,
        input_shape=None,
        width=None,
        hidden_size=128,
        dropout=0.5,
        max_epochs=20,
        batch_size=32,
        lr=3e-3,
        optimizer="adamw",
        weight_decay=5e-4,
        schedule="cosine",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=1e-4,
        device="auto",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.architecture = architecture
        self.input_shape = input_shape
        self.width = width
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _images(self, X, fitted):
        """The validated ``X`` as float32 images, checked against the fitted shape if ``fitted``."""
        if X.ndim > 4:
            raise ValueError(
                f"X must be 2-D (flattened images), 3-D (n, height, width) or 4-D (n, channels, "
                f"height, width); got an array of shape {X.shape}."
            )
        shape = image_shape(X.shape[1:], self.input_shape)
        if fitted and shape != self.input_shape_:
            raise ValueError(
                f"X holds images of shape {shape}, but {type(self).__name__} was fitted on images of "
                f"shape {self.input_shape_}."
            )
        return {"x": np.ascontiguousarray(X.reshape(len(X), *shape), dtype=np.float32)}

    def _validate_fit_inputs(self, X, y, reset=True):
        X, y = validate_data(self, X, y, reset=reset, allow_nd=True, dtype=[np.float32, np.float64])
        if reset:
            self.input_shape_ = image_shape(X.shape[1:], self.input_shape)
        return self._images(X, fitted=True), y

    def _validate_predict_inputs(self, X):
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=[np.float32, np.float64])
        return self._images(X, fitted=True)

    def _build_module(self):
        width = self.width or _DEFAULT_WIDTH[self.architecture]
        return build_cnn(
            self.architecture, self.input_shape_, len(self.classes_),
            width=width, hidden_size=self.hidden_size, dropout=self.dropout,
        )
