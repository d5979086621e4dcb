"""The convolutional networks of *Dive into Deep Learning*, written here (no torchvision).

Each class follows its chapter: the same blocks in the same order, the same pooling, global
average pooling where the book has it, and every channel count the book's scaled by
``width / book width`` (so ``width`` equal to the book's gives the book's network).

The size rule, which makes each network work for 8x8, 28x28, 32x32, 96x96 or 224x224 images,
and for one-row "images" (1-D signals):

- convolutions inside the body keep the spatial size (padding ``kernel // 2``);
- a pooling or a stride-2 step halves only the sides that are at least 2 pixels long (kernel,
  stride and padding are 1 along a side of 1 pixel), so a side never shrinks below 1;
- the book's *stem* (AlexNet's 11x11 convolution with stride 4, the 7x7 stride-2 convolution and
  3x3 max-pooling of GoogLeNet, ResNet and DenseNet, NiN's first 11x11 block), which shrinks an
  image 4-fold or more before the body, is used only when both sides are at least
  :data:`BOOK_STEM_MIN_SIDE` (64) pixels. Smaller images get a 3x3 stride-1 convolution with the
  same output channels instead, the usual change for CIFAR-sized inputs, so that an 8x8 digit
  still reaches the body at 8x8.

Sizes that depend on the input (the width of the first dense layer) are found by a dry run on a
zero image, which draws no random numbers. Every network is ``output(head(features(x)))``:
``output`` is the layer that fine-tuning replaces (:func:`output_layer`).
"""

import functools
import math

import torch
from torch import nn

__all__ = [
    "AlexNet", "DenseNet", "GoogLeNet", "LeNet", "NiN", "ResNet", "VGG", "build_cnn", "output_layer",
]

# Both sides at least this long: the book's strided stem; shorter: a 3x3 stride-1 convolution.
BOOK_STEM_MIN_SIDE = 64


def book_stem(input_shape):
    """Whether images of ``input_shape`` get the book's downsampling stem (see the module notes)."""
    return min(input_shape[1:]) >= BOOK_STEM_MIN_SIDE


def _scaled(book_channels, width, book_width):
    """The book's channel count scaled by ``width / book_width``, at least 1."""
    return max(1, round(book_channels * width / book_width))


def _halving_pool(height, wide, kernel=2, kind="max"):
    """A pooling that halves each side of at least 2 pixels: ``(module, (height, width))``.

    ``kernel=2`` (stride 2) is LeNet's, VGG's and DenseNet's 2x2 pooling, giving ``floor(side / 2)``;
    ``kernel=3`` (stride 2, padding 1) the 3x3 pooling of AlexNet, NiN, GoogLeNet and ResNet,
    giving ``ceil(side / 2)``.
    """
    sides = (height, wide)
    size = tuple(kernel if side >= 2 else 1 for side in sides)
    stride = tuple(2 if side >= 2 else 1 for side in sides)
    padding = tuple(1 if side >= 2 and kernel == 3 else 0 for side in sides)
    pool = (nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(size, stride, padding)
    out = tuple((side + 2 * p - k) // s + 1 for side, k, s, p in zip(sides, size, stride, padding))
    return pool, out


def _halving_stride(height, wide):
    """The stride (2 along each side of at least 2 pixels) of a downsampling 3x3 convolution."""
    return (2 if height >= 2 else 1, 2 if wide >= 2 else 1)


def _conv_out(side, kernel, stride, padding):
    return (side + 2 * padding - kernel) // stride + 1


def _flat_size(features, input_shape):
    """Number of features ``features`` makes of one image (a dry run on zeros, in eval mode)."""
    features.eval()  # batch normalisation cannot take statistics of one sample
    with torch.no_grad():
        size = features(torch.zeros(1, *input_shape)).numel()
    features.train()
    return size


def _dense_layers(n_inputs, hidden_sizes, dropout, batch_norm=False):
    """Flatten, then ReLU dense layers (AlexNet's and VGG's head; LeNet's without dropout)."""
    layers = [nn.Flatten()]
    for size in hidden_sizes:
        layers.append(nn.Linear(n_inputs, size))
        if batch_norm:
            layers.append(nn.BatchNorm1d(size))
        layers += [nn.ReLU(inplace=True), nn.Dropout(dropout)]
        n_inputs = size
    return nn.Sequential(*layers), n_inputs


class _Classifier(nn.Module):
    """``output(head(features(x)))``: the layout every network here shares.

    ``features`` and ``head`` are the backbone, ``output`` the layer fine-tuning replaces.
    """

    def forward(self, x):
        return self.output(self.head(self.features(x)))


class LeNet(_Classifier):
    """LeNet-5 (d2l 7.6; with ``batch_norm``, the batch-normalised LeNet of d2l 8.5.4).

    Two 5x5 convolution + 2x2 pooling stages of ``width`` and ``8/3 width`` channels (the book's 6
    and 16), then dense layers of ``hidden_size`` and ``0.7 hidden_size`` units (120 and 84).
    ReLU and max-pooling replace the 1998 sigmoid and average pooling, as the chapter suggests;
    the convolutions are padded to keep the spatial size, so 8x8 images fit.
    """

    def __init__(self, input_shape, n_classes, *, width=6, hidden_size=None, dropout=0.0, batch_norm=False):
        super().__init__()
        hidden_size = hidden_size or _scaled(120, width, 6)
        channels, height, wide = input_shape
        layers = []
        for out_channels in (width, _scaled(16, width, 6)):
            layers.append(nn.Conv2d(channels, out_channels, 5, padding=2))
            if batch_norm:
                layers.append(nn.BatchNorm2d(out_channels))
            pool, (height, wide) = _halving_pool(height, wide, kernel=2)
            layers += [nn.ReLU(inplace=True), pool]
            channels = out_channels
        self.features = nn.Sequential(*layers)
        self.head, n_inputs = _dense_layers(
            channels * height * wide, (hidden_size, math.ceil(0.7 * hidden_size)), 0.0, batch_norm
        )
        self.head.append(nn.Dropout(dropout))
        self.output = nn.Linear(n_inputs, n_classes)


class AlexNet(_Classifier):
    """AlexNet (d2l 8.1): five ReLU convolutions, three max-poolings, two dense layers with dropout.

    Channels ``width, 8/3, 4, 4, 8/3 width`` (the book's 96, 256, 384, 384, 256); the first
    convolution is the book's 11x11 with stride 4 (followed by a 3x3 max-pooling) on images of at
    least 64 pixels a side, a 3x3 convolution without pooling on smaller ones. The dense layers
    have ``hidden_size`` units (the book's 4096 scaled by ``width / 96``), each with dropout.
    """

    def __init__(self, input_shape, n_classes, *, width=96, hidden_size=None, dropout=0.5):
        super().__init__()
        hidden_size = hidden_size or _scaled(4096, width, 96)
        channels, height, wide = input_shape
        c2, c3 = _scaled(256, width, 96), _scaled(384, width, 96)
        if book_stem(input_shape):
            layers = [nn.Conv2d(channels, width, 11, stride=4, padding=1), nn.ReLU(inplace=True)]
            height, wide = _conv_out(height, 11, 4, 1), _conv_out(wide, 11, 4, 1)
            pool, (height, wide) = _halving_pool(height, wide, kernel=3)
            layers.append(pool)
        else:
            layers = [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(inplace=True)]
        pool, (height, wide) = _halving_pool(height, wide, kernel=3)
        layers += [nn.Conv2d(width, c2, 5, padding=2), nn.ReLU(inplace=True), pool]
        for in_channels, out_channels in ((c2, c3), (c3, c3), (c3, c2)):
            layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True)]
        pool, (height, wide) = _halving_pool(height, wide, kernel=3)
        layers.append(pool)
        self.features = nn.Sequential(*layers)
        self.head, n_inputs = _dense_layers(c2 * height * wide, (hidden_size, hidden_size), dropout)
        self.output = nn.Linear(n_inputs, n_classes)


# VGG-11, the network of d2l 8.2: (convolutions, channels) of each block.
VGG_11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def _conv(in_channels, out_channels, kernel, stride=1, padding=None, batch_norm=False):
    """A convolution (padded to keep the size by default), batch normalisation if asked, ReLU."""
    padding = kernel // 2 if padding is None else padding
    conv = nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=padding, bias=not batch_norm)
    return [conv, *([nn.BatchNorm2d(out_channels)] if batch_norm else []), nn.ReLU(inplace=True)]


class VGG(_Classifier):
    """VGG-11 (d2l 8.2): five blocks of 3x3 convolutions, each block ending in a 2x2 max-pooling.

    The blocks have 1, 1, 2, 2, 2 convolutions of ``width, 2, 4, 8, 8 width`` channels (the book's
    64 ... 512); two dense layers of ``hidden_size`` units (the book's 4096 scaled by
    ``width / 64``) with dropout follow. With ``batch_norm`` (the default here) each convolution
    is batch-normalised, d2l 8.5's remedy; ``batch_norm=False`` is the book's network.
    """

    def __init__(self, input_shape, n_classes, *, width=64, hidden_size=None, dropout=0.5, batch_norm=True):
        super().__init__()
        hidden_size = hidden_size or _scaled(4096, width, 64)
        channels, height, wide = input_shape
        layers = []
        for n_convs, book_channels in VGG_11:
            out_channels = _scaled(book_channels, width, 64)
            for _ in range(n_convs):
                layers += _conv(channels, out_channels, 3, batch_norm=batch_norm)
                channels = out_channels
            pool, (height, wide) = _halving_pool(height, wide, kernel=2)
            layers.append(pool)
        self.features = nn.Sequential(*layers)
        self.head, n_inputs = _dense_layers(channels * height * wide, (hidden_size, hidden_size), dropout)
        self.output = nn.Linear(n_inputs, n_classes)


def _nin_block(in_channels, out_channels, kernel, stride=1, padding=None, batch_norm=False):
    """NiN's block: a convolution then two 1x1 convolutions (a per-pixel MLP), all with ReLU."""
    return (
        _conv(in_channels, out_channels, kernel, stride, padding, batch_norm)
        + _conv(out_channels, out_channels, 1, batch_norm=batch_norm)
        + _conv(out_channels, out_channels, 1, batch_norm=batch_norm)
    )


class NiN(_Classifier):
    """Network in Network (d2l 8.3): NiN blocks and max-poolings, no dense layer.

    Blocks of ``width, 8/3, 4 width`` channels (the book's 96, 256, 384) with 11x11 (stride 4, on
    images of at least 64 pixels a side; 3x3 on smaller ones), 5x5 and 3x3 convolutions, each
    followed by a 3x3 max-pooling (the first only after the strided stem); then dropout and a last
    block with one channel per class, averaged over the image (global average pooling). With
    ``batch_norm`` (the default here) each convolution is batch-normalised: the book's network
    (``batch_norm=False``) does not start learning with Adam on small data sets.
    """

    def __init__(self, input_shape, n_classes, *, width=96, hidden_size=None, dropout=0.5, batch_norm=True):
        super().__init__()
        channels, height, wide = input_shape
        c2, c3 = _scaled(256, width, 96), _scaled(384, width, 96)
        if book_stem(input_shape):
            layers = _nin_block(channels, width, 11, stride=4, padding=0, batch_norm=batch_norm)
            height, wide = _conv_out(height, 11, 4, 0), _conv_out(wide, 11, 4, 0)
            pool, (height, wide) = _halving_pool(height, wide, kernel=3)
            layers.append(pool)
        else:
            layers = _nin_block(channels, width, 3, batch_norm=batch_norm)
        for in_channels, out_channels, kernel in ((width, c2, 5), (c2, c3, 3)):
            pool, (height, wide) = _halving_pool(height, wide, kernel=3)
            layers += _nin_block(in_channels, out_channels, kernel, batch_norm=batch_norm) + [pool]
        self.features = nn.Sequential(*layers)
        self.head = nn.Dropout(dropout)
        # Every convolution of the last block has one channel per class: it is the output layer.
        block = _nin_block(c3, n_classes, 3, batch_norm=batch_norm)
        if batch_norm:
            # The class scores themselves are not batch-normalised (that would fix their scale).
            block = block[:-3] + [nn.Conv2d(n_classes, n_classes, 1)]
        self.output = nn.Sequential(*block, nn.AdaptiveAvgPool2d(1), nn.Flatten())


class _Inception(nn.Module):
    """GoogLeNet's Inception block (d2l 8.4.1): four parallel paths concatenated on channels.

    1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max-pooling then 1x1, each convolution with ReLU.
    """

    def __init__(self, in_channels, c1, c2, c3, c4, batch_norm=False):
        super().__init__()
        conv = functools.partial(_conv, batch_norm=batch_norm)
        self.path1 = nn.Sequential(*conv(in_channels, c1, 1))
        self.path2 = nn.Sequential(*conv(in_channels, c2[0], 1), *conv(c2[0], c2[1], 3))
        self.path3 = nn.Sequential(*conv(in_channels, c3[0], 1), *conv(c3[0], c3[1], 5))
        self.path4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), *conv(in_channels, c4, 1))

    def forward(self, x):
        return torch.cat([self.path1(x), self.path2(x), self.path3(x), self.path4(x)], dim=1)


# GoogLeNet's Inception blocks (d2l 8.4.2), (c1, (c2 in, c2 out), (c3 in, c3 out), c4), by stage;
# a 3x3 max-pooling ends each stage but the last.
INCEPTION_STAGES = (
    ((64, (96, 128), (16, 32), 32), (128, (128, 192), (32, 96), 64)),
    (
        (192, (96, 208), (16, 48), 64), (160, (112, 224), (24, 64), 64), (128, (128, 256), (24, 64), 64),
        (112, (144, 288), (32, 64), 64), (256, (160, 320), (32, 128), 128),
    ),
    ((256, (160, 320), (32, 128), 128), (384, (192, 384), (48, 128), 128)),
)


def _stem(channels, width, input_shape, batch_norm):
    """GoogLeNet's, ResNet's and DenseNet's first block: ``(layers, (height, width))``.

    The book's 7x7 stride-2 convolution and 3x3 stride-2 max-pooling on images of at least 64
    pixels a side; a 3x3 stride-1 convolution (no pooling) on smaller ones.
    """
    _, height, wide = input_shape
    if not book_stem(input_shape):
        return _conv(channels, width, 3, batch_norm=batch_norm), (height, wide)
    height, wide = _conv_out(height, 7, 2, 3), _conv_out(wide, 7, 2, 3)
    pool, (height, wide) = _halving_pool(height, wide, kernel=3)
    return _conv(channels, width, 7, stride=2, padding=3, batch_norm=batch_norm) + [pool], (height, wide)


class GoogLeNet(_Classifier):
    """GoogLeNet (d2l 8.4): a stem, two convolutions, nine Inception blocks, global average pooling.

    Every channel count is the book's scaled by ``width / 64`` (``width`` is the stem's: 64 in
    the book), so the last Inception block has ``16 width`` channels (1024) that the global
    average pooling feeds to the output layer (after ``dropout``). With ``batch_norm`` (the
    default here) each convolution is batch-normalised, as in the Inception networks that
    followed (d2l 8.4.4); the book's network (``batch_norm=False``) does not start learning with
    Adam on small data sets.
    """

    def __init__(self, input_shape, n_classes, *, width=64, hidden_size=None, dropout=0.0, batch_norm=True):
        super().__init__()
        scale = functools.partial(_scaled, width=width, book_width=64)
        layers, (height, wide) = _stem(input_shape[0], width, input_shape, batch_norm)
        pool, (height, wide) = _halving_pool(height, wide, kernel=3)
        c2 = scale(192)
        layers += _conv(width, width, 1, batch_norm=batch_norm) + _conv(width, c2, 3, batch_norm=batch_norm) + [pool]
        channels = c2
        for stage, blocks in enumerate(INCEPTION_STAGES):
            for c1, (c2_in, c2_out), (c3_in, c3_out), c4 in blocks:
                out = (scale(c1), (scale(c2_in), scale(c2_out)), (scale(c3_in), scale(c3_out)), scale(c4))
                layers.append(_Inception(channels, *out, batch_norm=batch_norm))
                channels = out[0] + out[1][1] + out[2][1] + out[3]
            if stage < len(INCEPTION_STAGES) - 1:
                pool, (height, wide) = _halving_pool(height, wide, kernel=3)
                layers.append(pool)
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Dropout(dropout)
        self.output = nn.Linear(channels, n_classes)


class _Residual(nn.Module):
    """ResNet's residual block (d2l 8.6.2): ``relu(x' + F(x))``.

    ``F`` is two batch-normalised 3x3 convolutions, the first with the block's stride; the
    shortcut ``x'`` is ``x``, or a strided 1x1 convolution where the block changes the number of
    channels or the size (the book's ``use_1x1conv``).
    """

    def __init__(self, in_channels, out_channels, stride=(1, 1)):
        super().__init__()
        self.residual = nn.Sequential(
            *_conv(in_channels, out_channels, 3, stride, batch_norm=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.shortcut = nn.Identity()
        if stride != (1, 1) or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels)
            )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.shortcut(x) + self.residual(x))


class ResNet(_Classifier):
    """ResNet-18 (d2l 8.6.3): a stem, four stages of two residual blocks, global average pooling.

    The stages have ``width, 2, 4, 8 width`` channels (the book's 64 ... 512); each stage after
    the first starts with a stride-2 block. The global average pooling feeds the output layer
    (after ``dropout``).
    """

    def __init__(self, input_shape, n_classes, *, width=64, hidden_size=None, dropout=0.0, blocks=(2, 2, 2, 2)):
        super().__init__()
        layers, (height, wide) = _stem(input_shape[0], width, input_shape, batch_norm=True)
        channels = width
        for stage, n_blocks in enumerate(blocks):
            out_channels = width * 2**stage
            stride = (1, 1) if stage == 0 else _halving_stride(height, wide)
            height, wide = -(-height // stride[0]), -(-wide // stride[1])
            layers.append(_Residual(channels, out_channels, stride))
            layers += [_Residual(out_channels, out_channels) for _ in range(n_blocks - 1)]
            channels = out_channels
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Dropout(dropout)
        self.output = nn.Linear(channels, n_classes)


class _DenseBlock(nn.Module):
    """DenseNet's dense block (d2l 8.7.2): each (BN, ReLU, 3x3 convolution) sees all before it.

    Every convolution adds ``growth`` channels, concatenated to its input.
    """

    def __init__(self, n_convs, in_channels, growth):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Sequential(
                nn.BatchNorm2d(in_channels + i * growth), nn.ReLU(inplace=True),
                nn.Conv2d(in_channels + i * growth, growth, 3, padding=1),
            )
            for i in range(n_convs)
        )

    def forward(self, x):
        for conv in self.convs:
            x = torch.cat([x, conv(x)], dim=1)
        return x


class DenseNet(_Classifier):
    """DenseNet (d2l 8.7): a stem, four dense blocks of four convolutions, transitions, pooling.

    ``width`` is the stem's channels (64 in the book) and the growth rate is ``width / 2`` (32);
    a transition (BN, ReLU, 1x1 convolution halving the channels, 2x2 average pooling) follows
    each dense block but the last, and BN, ReLU and global average pooling end the network.
    """

    def __init__(self, input_shape, n_classes, *, width=64, hidden_size=None, dropout=0.0, blocks=(4, 4, 4, 4)):
        super().__init__()
        growth = max(1, width // 2)
        layers, (height, wide) = _stem(input_shape[0], width, input_shape, batch_norm=True)
        channels = width
        for i, n_convs in enumerate(blocks):
            layers.append(_DenseBlock(n_convs, channels, growth))
            channels += n_convs * growth
            if i < len(blocks) - 1:
                pool, (height, wide) = _halving_pool(height, wide, kernel=2, kind="avg")
                layers += [
                    nn.BatchNorm2d(channels), nn.ReLU(inplace=True),
                    nn.Conv2d(channels, channels // 2, 1), pool,
                ]
                channels //= 2
        layers += [nn.BatchNorm2d(channels), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.head = nn.Dropout(dropout)
        self.output = nn.Linear(channels, n_classes)


def _lenet_bn(input_shape, n_classes, **params):
    return LeNet(input_shape, n_classes, batch_norm=True, **params)


# name: (builder, the book's section, the width of the book's network, default width here).
ARCHITECTURES = {
    "lenet": (LeNet, "7.6", 6, 6),
    "lenet_bn": (_lenet_bn, "8.5.4", 6, 6),
    "alexnet": (AlexNet, "8.1", 96, 24),
    "vgg": (VGG, "8.2", 64, 16),
    "nin": (NiN, "8.3", 96, 24),
    "googlenet": (GoogLeNet, "8.4", 64, 16),
    "resnet": (ResNet, "8.6", 64, 16),
    "densenet": (DenseNet, "8.7", 64, 16),
}

# AdamW's default learning rate for each architecture: 3e-3, except for AlexNet, whose dense
# layers of thousands of units without batch normalisation stall at 3e-3 on 32x32 digits
# (training loss stuck at log 10) and learn at 1e-3.
DEFAULT_LR = {name: 1e-3 if name == "alexnet" else 3e-3 for name in ARCHITECTURES}


def init_cnn(layer):
    """The book's initialisation (d2l's ``init_cnn``): Xavier-uniform weights for convolutions
    and dense layers. torch's default draws smaller weights, with which the deep networks
    without batch normalisation (NiN, GoogLeNet) do not start learning."""
    if isinstance(layer, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(layer.weight)


def build_cnn(architecture, input_shape, n_classes, *, width=None, **params):
    """The network ``architecture`` (a key of :data:`ARCHITECTURES`) for images of ``input_shape``.

    ``width=None`` takes the architecture's default width here (smaller than the book's, which is
    sized for ImageNet); extra ``params`` go to the network's constructor. The weights are
    initialised as in the book (:func:`init_cnn`).
    """
    builder, _, _, default_width = ARCHITECTURES[architecture]
    module = builder(tuple(input_shape), n_classes, width=width or default_width, **params)
    return module.apply(init_cnn)


def output_layer(module):
    """``(name, layer)`` of the output layer, the part of ``module`` that fine-tuning replaces.

    For every network here that is ``module.output`` (a Linear, or NiN's last block, whose
    convolutions all have one channel per class). For a module of one's own, its ``output``
    attribute too when it has one, else the last registered submodule with parameters of its own.
    """
    if isinstance(getattr(module, "output", None), nn.Module):
        return "output", module.output
    found = None
    for name, layer in module.named_modules():
        if any(True for _ in layer.parameters(recurse=False)):
            found = (name, layer)
    if found is None:
        raise ValueError(f"The module {type(module).__name__} has no layer with parameters.")
    return found
