"""A convolutional network classifier for images: the CNNs of Dive into Deep Learning, trained by skorch."""

import copy
import inspect
import math
from numbers import Integral, Real

import numpy as np
import torch

from ..utils._compat import Interval, StrOptions, validate_data
from ._architectures import ARCHITECTURES, DEFAULT_LR, build_cnn
from ._augment import ImageAugmentation
from ._finetune import freeze_backbone, load_starting_weights, output_param_group, same_classes
from ._skorch_base import SkorchClassifierBase, as_float32, uses_channels_last

_MODULE_PREFIX = "module__"


def check_input_shape(input_shape):
    """``input_shape`` as a ``(channels, height, width)`` tuple of positive ints, or a clear error."""
    if input_shape is None:
        return None
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    valid = (
        shape is not None and len(shape) in (2, 3)
        and all(isinstance(size, (Integral, np.integer)) and not isinstance(size, bool) and size > 0 for size in shape)
    )
    if not valid:
        raise ValueError(
            "input_shape must be (channels, height, width) or (height, width), each a positive "
            f"integer; got {input_shape!r}."
        )
    shape = tuple(int(size) for size in shape)
    return (1, *shape) if len(shape) == 2 else shape


def image_shape(data_shape, input_shape):
    """The (channels, height, width) of each image, from ``X.shape[1:]`` and ``input_shape``.

    4-D ``X`` holds images, 3-D ``X`` single-channel images. A 2-D ``X`` is reshaped to
    ``input_shape`` when given, to a square single-channel image when its number of columns is a
    perfect square, and otherwise read as a one-row image (each row a 1-D signal).
    """
    input_shape = check_input_shape(input_shape)
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

    The network is one of the book's architectures (or a module of your own), built for the
    image shape seen in ``fit`` and trained with AdamW (or Adam, or SGD with momentum) on
    mini-batches, with optional augmentation, early stopping on a validation hold-out,
    sample weights and mixed precision. It runs on a GPU when ``device`` names one.

    Parameters
    ----------
    architecture : {"lenet", "lenet_bn", "alexnet", "vgg", "nin", "googlenet", "resnet", \
"densenet"}, default="densenet"
        The network, each as in its section of *Dive into Deep Learning* (d2l, 2023 edition),
        sized from the image shape (see Notes):

        - ``"lenet"``: LeNet-5 (d2l 7.6), two 5x5 convolution + pooling stages and two dense layers;
        - ``"lenet_bn"``: LeNet with batch normalisation (d2l 8.5.4);
        - ``"alexnet"``: AlexNet (d2l 8.1), five convolutions and two dense layers with dropout;
        - ``"vgg"``: VGG-11 (d2l 8.2), five blocks of 3x3 convolutions (batch-normalised here);
        - ``"nin"``: Network in Network (d2l 8.3), NiN blocks and global average pooling;
        - ``"googlenet"``: GoogLeNet (d2l 8.4), nine Inception blocks;
        - ``"resnet"``: ResNet-18 (d2l 8.6), four stages of two residual blocks;
        - ``"densenet"``: DenseNet (d2l 8.7), four dense blocks joined by transition layers.
    module : torch.nn.Module subclass or instance, default=None
        A network of one's own instead of ``architecture``. A class is built in ``fit`` as
        ``module(**params)`` from the ``module__*`` parameters of this estimator (skorch's
        convention, so ``GridSearchCV`` can tune ``module__<name>``), plus ``input_shape`` and
        ``n_classes`` (the fitted image shape and number of classes) when its ``__init__`` takes
        them and they are not given. An instance is copied and trained from its weights. Its
        ``forward(x)`` takes a batch of images (n, channels, height, width) and returns
        (n, n_classes) class scores. ``width``, ``hidden_size`` and ``dropout`` do not apply.
    input_shape : tuple of int, default=None
        ``(channels, height, width)`` or ``(height, width)`` of the images of a 2-D ``X``. By
        default a 2-D ``X`` with a perfect-square number of columns is read as square
        single-channel images, and any other 2-D ``X`` as one-row images (each row a 1-D
        signal): give ``input_shape`` for flattened images that are not square.
    width : int, default=None
        Channels of the first stage; every later channel count is the book's scaled by
        ``width / book width``. None: 6 for the LeNets (the book's), 24 for AlexNet and NiN
        (the book's 96 / 4), 16 for the others (the book's 64 / 4, as the book itself shrinks
        VGG to train it on a single GPU).
    hidden_size : int, default=None
        Units of the dense hidden layers (LeNet, AlexNet, VGG; the others have none). None
        scales the book's (120 for LeNet, 4096 for AlexNet and VGG) like the channels.
    dropout : float, default=0.5
        Dropout probability, where the book has it (AlexNet's and VGG's dense layers, before
        NiN's last block) and before the output layer of the others.
    augment : bool or ImageAugmentation, default=None
        Augment the training images, batch by batch on the device (d2l 14.1): True for
        :class:`ImageAugmentation`'s defaults (random crops with padding, rotations of up to 10
        degrees, zooms of up to 10%, no horizontal flip), an instance for other settings. None
        or False: no augmentation. Prediction never augments.
    warm_start : bool, CNNClassifier or torch.nn.Module, default=False
        Where training starts (d2l 14.2, fine-tuning). False: fresh weights. True: the weights
        of this estimator's previous fit, when there is one. A fitted ``CNNClassifier`` or a
        module: a copy of its weights (the same architecture, built for the same image shape).
        The output layer is kept when the source was fitted on the same classes, and freshly
        initialised otherwise. ``clone`` (and so ``GridSearchCV``) un-fits an estimator given
        here: give its ``module_`` instead to search with it.
    freeze_backbone : bool, default=False
        Train only the output layer: every other parameter keeps its starting value, and its
        batch normalisation and dropout stay in evaluation mode.
    output_lr_multiplier : float, default=1.0
        The output layer learns at ``output_lr_multiplier * lr`` (the book fine-tunes with 10).
    max_epochs : int, default=20
        Number of passes over the training data.
    batch_size : int, default=32
        Samples per mini-batch.
    lr : float, default=None
        Learning rate (the start of the schedule). None: 3e-3, or 1e-3 for AlexNet (whose large
        dense layers without batch normalisation stall at 3e-3 on 32x32 images).
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
        AdamW (decoupled weight decay), Adam, or SGD: plain SGD unless ``momentum > 0``. Before
        this release ``"sgd"`` meant SGD with Nesterov momentum 0.9; that is now
        ``optimizer="sgd", momentum=0.9, nesterov=True``.
    momentum : float, default=0.0
        Momentum of ``optimizer="sgd"`` (ignored by the Adam optimisers).
    nesterov : bool, default=False
        Nesterov's momentum for ``optimizer="sgd"`` with ``momentum > 0``.
    weight_decay : float, default=5e-4
        Weight decay of the optimiser.
    schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"`` decays the learning rate from ``lr`` to ``lr / 100`` over ``max_epochs``
        epochs (one step per epoch); ``"constant"`` keeps ``lr``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified when every class can
        be split), stop when the (sample-weighted) validation loss has not improved by ``tol``
        for ``n_iter_no_change`` epochs, and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    n_iter_no_change : int, default=5
        Epochs without improvement before early stopping.
    tol : float, default=1e-4
        Smallest decrease of the validation loss that counts as an improvement.
    device : str, default="auto"
        Where to train: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:1"``, ...
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        ``"auto"``: bfloat16 autocast on a CUDA device that supports it (the weights and the
        loss stay float32), float32 on the CPU. ``"bfloat16"``: autocast on any device, the CPU
        included. ``"float32"``: float32 throughout.
    compile : bool, default=False
        Run the network through ``torch.compile`` (faster steps after a compilation that takes
        seconds to minutes; worth it for long trainings on a GPU).
    n_jobs : int, default=None
        The torch CPU threads while fitting and predicting: None means 1, as in scikit-learn (small
        networks gain little from more, and shared cores make torch's threads wait on each
        other), ``-1`` means all cores.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, the shuffling, the augmentation and the
        validation split: on the CPU a fixed value gives the same network every time.
    verbose : int, default=0
        Above 0, one line per epoch: the training (and validation) loss and the elapsed time.
    **module_params : dict
        ``module__<name>`` parameters, passed to ``module`` (or to the architecture's
        constructor) when the network is built.

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
        Epochs of the last ``fit``, plus one per ``partial_fit`` since (or since the first
        ``partial_fit``).
    best_epoch_ : int
        The epoch whose weights were restored (only with ``early_stopping``).
    n_features_in_ : int
        ``X.shape[1]`` seen during ``fit`` (columns of a 2-D ``X``, channels of a 4-D one).

    See Also
    --------
    RNNClassifier : The recurrent counterpart, for text and sequences.
    ImageAugmentation : The random transformations of ``augment``.
    skorch.NeuralNetClassifier : The engine, without the scikit-learn contract kept here.

    Notes
    -----
    The network minimises the sample-weighted cross-entropy of the softmax of its outputs,

    .. math:: J(\\theta) = -\\frac{1}{\\sum_i w_i}\\sum_i w_i
              \\log \\operatorname{softmax}(f_\\theta(x_i))_{y_i},

    by mini-batches (each batch's :math:`\\sum_{i \\in B} w_i \\ell_i / |B|`, with the weights
    scaled to mean 1) with AdamW and a cosine learning-rate schedule.

    **Sizes.** Every architecture is sized from the image shape: its convolutions keep the
    spatial size, a pooling or stride-2 step halves only the sides of at least 2 pixels, and
    the book's downsampling stem (AlexNet's 11x11 stride-4 convolution, the 7x7 stride-2
    convolution and max-pooling of GoogLeNet, ResNet and DenseNet, NiN's first block) is used
    only when both sides are at least 64 pixels; smaller images get a 3x3 stride-1 convolution
    instead. So 8x8, 28x28, 32x32, 96x96 and 224x224 images all work, and an 8x8 digit is not
    shrunk to nothing before the body of the network.

    **Speed.** The whole data set is moved to the device once (when it takes less than half
    the free GPU memory; otherwise batches are copied through pinned memory without blocking),
    batches are cut from it by index, the epoch's loss is read from the GPU once per epoch, and
    prediction runs in batches of 2048 without autograd. On CUDA the images are fed in
    channels-last memory format and, by default, the forward pass runs in bfloat16.

    References
    ----------
    .. [1] A. Zhang, Z. C. Lipton, M. Li and A. J. Smola, *Dive into Deep Learning*, Cambridge
       University Press, 2023, chapters 7, 8 and 14. https://d2l.ai

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import CNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((64, 1, 8, 8), dtype=np.float32)
    >>> y = (X[:, 0, :4].mean(axis=(1, 2)) > X[:, 0, 4:].mean(axis=(1, 2))).astype(int)
    >>> model = CNNClassifier("lenet", max_epochs=5, random_state=0).fit(X, y)
    >>> model.input_shape_
    (1, 8, 8)
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    _images = True

    _parameter_constraints = {
        **SkorchClassifierBase._parameter_constraints,
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "module": [None, type, torch.nn.Module],
        "input_shape": [tuple, list, None],
        "width": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_size": [Interval(Integral, 1, None, closed="left"), None],
        "augment": ["boolean", ImageAugmentation, None],
        "warm_start": ["boolean", SkorchClassifierBase, torch.nn.Module],
        "freeze_backbone": ["boolean"],
        "output_lr_multiplier": [Interval(Real, 0, None, closed="neither")],
        "lr": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        architecture="densenet",
        *,
        module=None,
        input_shape=None,
        width=None,
        hidden_size=None,
        dropout=0.5,
        augment=None,
        warm_start=False,
        freeze_backbone=False,
        output_lr_multiplier=1.0,
        max_epochs=20,
        batch_size=32,
        lr=None,
        optimizer="adamw",
        momentum=0.0,
        nesterov=False,
        weight_decay=5e-4,
        schedule="cosine",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=1e-4,
        device="auto",
        precision="auto",
        compile=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        **module_params,
    ):
        self.architecture = architecture
        self.module = module
        self.input_shape = input_shape
        self.width = width
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.augment = augment
        self.warm_start = warm_start
        self.freeze_backbone = freeze_backbone
        self.output_lr_multiplier = output_lr_multiplier
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.precision = precision
        self.compile = compile
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        # Stored as given, checked in fit (scikit-learn's rule: __init__ validates nothing).
        for name, value in module_params.items():
            setattr(self, name, value)

    # -- module__* parameters (skorch's convention) ----------------------------------------------

    def _extra_param_names(self):
        """The keyword parameters beyond the signature's: public, not fitted (``name_``)."""
        signature = set(super()._get_param_names())
        return sorted(
            name for name in vars(self) if not name.startswith("_") and not name.endswith("_") and name not in signature
        )

    def _get_param_names(self):
        """The constructor's parameters and this instance's ``module__*`` ones."""
        return sorted(super()._get_param_names()) + self._extra_param_names()

    def set_params(self, **params):
        """Set the parameters of this estimator (``module__*`` ones included).

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : CNNClassifier
            The estimator.
        """
        for name in [name for name in params if name.startswith(_MODULE_PREFIX) or name in self._extra_param_names()]:
            setattr(self, name, params.pop(name))
        return super().set_params(**params)

    def _module_params(self):
        """The ``module__*`` parameters without their prefix; any other extra keyword is refused."""
        names = self._extra_param_names()
        unknown = [name for name in names if not name.startswith(_MODULE_PREFIX)]
        if unknown:
            raise TypeError(
                f"CNNClassifier got unexpected keyword argument(s) {unknown}; only {_MODULE_PREFIX}* "
                "parameters are passed on (to the module)."
            )
        return {name[len(_MODULE_PREFIX):]: getattr(self, name) for name in names}

    # -- reading X -------------------------------------------------------------------------------

    def _images(self, X):
        """The validated ``X`` as float32 images, checked against the fitted shape."""
        if X.ndim > 4:
            raise ValueError(
                f"X must be 2-D (flattened images), 3-D (n, height, width) or 4-D (n, channels, "
                f"height, width); got an array of shape {X.shape}."
            )
        shape = image_shape(X.shape[1:], self.input_shape)
        if shape != self.input_shape_:
            raise ValueError(
                f"X holds images of shape {shape}, but {type(self).__name__} was fitted on images of "
                f"shape {self.input_shape_}."
            )
        return {"x": as_float32(X.reshape(len(X), *shape))}

    def _validate_fit_inputs(self, X, y, reset=True):
        X, y = validate_data(self, X, y, reset=reset, allow_nd=True, dtype=[np.float32, np.float64])
        if reset:
            self.input_shape_ = image_shape(X.shape[1:], self.input_shape)
        return self._images(X), y

    def _validate_predict_inputs(self, X):
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=[np.float32, np.float64])
        return self._images(X)

    # -- the network -----------------------------------------------------------------------------

    def _build_module(self):
        n_classes = len(self.classes_)
        if self.module is None:
            return build_cnn(
                self.architecture, self.input_shape_, n_classes, width=self.width,
                hidden_size=self.hidden_size, dropout=self.dropout, **self._module_params(),
            )
        if isinstance(self.module, torch.nn.Module):
            module = copy.deepcopy(self.module).to("cpu")
        elif isinstance(self.module, type) and issubclass(self.module, torch.nn.Module):
            params = self._module_params()
            accepted = inspect.signature(self.module).parameters
            for name, value in (("input_shape", self.input_shape_), ("n_classes", n_classes)):
                if name in accepted and name not in params:
                    params[name] = value
            module = self.module(**params)
        else:
            raise TypeError(f"module must be a torch.nn.Module subclass or instance; got {self.module!r}.")
        self._check_outputs(module, n_classes)
        return module

    def _check_outputs(self, module, n_classes):
        training = module.training
        module.eval()
        with torch.no_grad():
            shape = tuple(module(torch.zeros(2, *self.input_shape_)).shape)
        module.train(training)
        if shape != (2, n_classes):
            raise ValueError(
                f"module {type(module).__name__} maps a batch of 2 images of shape {self.input_shape_} "
                f"to outputs of shape {shape}; it must give (2, {n_classes}): one score per class."
            )

    def _previous_fit(self):
        if self.warm_start is True and hasattr(self, "net_"):
            return self.net_.module_, self.classes_
        return None

    def _warm_start_source(self, previous):
        """``(module, its classes or None)`` that training starts from, or None."""
        source = self.warm_start
        if source is True:
            return previous
        if source is False:
            return None
        if isinstance(source, torch.nn.Module):
            return source, None
        if not hasattr(source, "net_"):
            raise ValueError(
                f"warm_start={type(source).__name__}(...) is not fitted: fit it first (clone and "
                "GridSearchCV un-fit an estimator given here; give its module_ instead)."
            )
        return source.module_, source.classes_

    def _initial_module(self, previous=None):
        module = self._build_module()
        source = self._warm_start_source(previous)
        if source is not None:
            source_module, source_classes = source
            load_starting_weights(module, source_module, keep_output=same_classes(source_classes, self.classes_))
        return module

    def _learning_rate(self):
        if self.lr is not None:
            return self.lr
        return DEFAULT_LR.get(self.architecture, 3e-3) if self.module is None else 3e-3

    def _augmentation(self):
        if self.augment is None or self.augment is False:
            return None
        augmentation = ImageAugmentation() if self.augment is True else self.augment
        augmentation.validate()
        return augmentation

    def _net_options(self, module):
        options = {
            "channels_last": uses_channels_last(self.device_, self._images),
            "augment": self._augmentation(),
            "augment_seed": self._augment_seed,
        }
        if self.freeze_backbone:
            options["eval_in_training"] = freeze_backbone(module)
        if self.output_lr_multiplier != 1.0:
            options["optimizer__param_groups"] = output_param_group(
                module, self._learning_rate(), self.output_lr_multiplier
            )
        return options

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True  # (n, height, width) images; 4-D ones too
        return tags
