"""The torch modules behind the deep estimators, written here (no torchvision).

Every convolutional network is sized from ``input_shape = (channels, height, width)``: the
convolutions keep the spatial size ("same" padding) and a pooling or strided step halves only the
dimensions that are at least 2 pixels wide, so the same layout works for 28x28 digits, 8x8 digits,
32x32 colour images and one-row "images" (1-D signals). Sizes that depend on the input (the width
of the first dense layer) are found by a dry run on a zero image, which draws no random numbers.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["LeNet", "ResNet", "RNNSequenceClassifier", "VGG", "build_cnn"]


def _halving(height, width):
    """Kernel (= stride) that halves each spatial dimension of at least 2 pixels."""
    return (2 if height >= 2 else 1, 2 if width >= 2 else 1)


def _halved(height, width):
    kernel = _halving(height, width)
    return height // kernel[0], width // kernel[1]


def _flat_size(features, input_shape):
    features.eval()  # batch normalisation cannot train on a batch of one
    with torch.no_grad():
        size = features(torch.zeros(1, *input_shape)).numel()
    features.train()
    return size


class LeNet(nn.Module):
    """LeNet-5's layout: two 5x5 convolution + 2x2 max-pooling stages, then a dense hidden layer.

    ReLU replaces the sigmoid of 1998 (as in Dive into Deep Learning), the convolutions are padded
    to keep the spatial size, and the stages have ``width`` and ``2 * width`` channels.
    """

    def __init__(self, input_shape, n_classes, *, width=16, hidden_size=128, dropout=0.0):
        super().__init__()
        channels, height, wide = input_shape
        layers = []
        for out_channels in (width, 2 * width):
            layers += [nn.Conv2d(channels, out_channels, 5, padding="same"), nn.ReLU(inplace=True)]
            layers.append(nn.MaxPool2d(_halving(height, wide)))
            channels, (height, wide) = out_channels, _halved(height, wide)
        self.features = nn.Sequential(*layers)
        self.classifier = _dense_head(_flat_size(self.features, input_shape), hidden_size, dropout, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def _dense_head(n_inputs, hidden_size, dropout, n_classes):
    """Flatten, one ReLU hidden layer with dropout, then the class scores (LeNet's and VGG's head)."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(n_inputs, hidden_size),
        nn.ReLU(inplace=True),
        nn.Dropout(dropout),
        nn.Linear(hidden_size, n_classes),
    )


def _conv_bn_relu(in_channels, out_channels):
    return [
        nn.Conv2d(in_channels, out_channels, 3, padding="same", bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


class VGG(nn.Module):
    """A small VGG: three blocks of two 3x3 convolutions (batch-normalised) and a max-pooling.

    The blocks have ``width``, ``2 * width`` and ``4 * width`` channels; a dense hidden layer of
    ``hidden_size`` units with dropout comes before the output layer.
    """

    def __init__(self, input_shape, n_classes, *, width=32, hidden_size=128, dropout=0.0):
        super().__init__()
        channels, height, wide = input_shape
        layers = []
        for out_channels in (width, 2 * width, 4 * width):
            layers += _conv_bn_relu(channels, out_channels) + _conv_bn_relu(out_channels, out_channels)
            layers.append(nn.MaxPool2d(_halving(height, wide)))
            channels, (height, wide) = out_channels, _halved(height, wide)
        self.features = nn.Sequential(*layers)
        self.classifier = _dense_head(_flat_size(self.features, input_shape), hidden_size, dropout, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x))


class _ResidualBlock(nn.Module):
    """``relu(x' + F(x))`` with ``F`` two batch-normalised 3x3 convolutions (He et al., 2016).

    When the block changes the number of channels or strides, the shortcut ``x'`` is a 1x1
    convolution with the same stride, batch-normalised.
    """

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.residual = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.shortcut = nn.Identity()
        if stride != (1, 1) or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.shortcut(x) + self.residual(x))


class ResNet(nn.Module):
    """A ResNet for small images: a 3x3 stem, three stages of two residual blocks, global pooling.

    The stages have ``width``, ``2 * width`` and ``4 * width`` channels; the second and third
    stride by 2 along the dimensions that are at least 2 pixels wide. ``hidden_size`` is not used
    (the global average pooling feeds the output layer, after ``dropout``).
    """

    def __init__(self, input_shape, n_classes, *, width=32, hidden_size=None, dropout=0.0):
        super().__init__()
        channels, height, wide = input_shape
        layers = _conv_bn_relu(channels, width)
        in_channels = width
        for stage, out_channels in enumerate((width, 2 * width, 4 * width)):
            stride = (1, 1) if stage == 0 else _halving(height, wide)
            height, wide = (height + stride[0] - 1) // stride[0], (wide + stride[1] - 1) // stride[1]
            layers += [
                _ResidualBlock(in_channels, out_channels, stride),
                _ResidualBlock(out_channels, out_channels, (1, 1)),
            ]
            in_channels = out_channels
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(in_channels, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


_ARCHITECTURES = {"lenet": LeNet, "vgg": VGG, "resnet": ResNet}


def build_cnn(architecture, input_shape, n_classes, **params):
    """The module of ``architecture`` (``"lenet"``, ``"vgg"`` or ``"resnet"``) for these images."""
    return _ARCHITECTURES[architecture](tuple(input_shape), n_classes, **params)


class RNNSequenceClassifier(nn.Module):
    """A recurrent classifier: (embedding), (convolution), RNN/GRU/LSTM over packed sequences, dense output.

    ``forward(x, lengths)`` takes ``x`` of shape (batch, time) holding token ids (0 is padding)
    when ``vocabulary_size`` is given, or (batch, time, features) numbers otherwise, and each
    sequence's length. The sequences are packed, so the padding never enters the recurrence.
    The sequence is summarised by the last hidden state of the top layer (both directions when
    bidirectional) concatenated with the maximum over time of the top layer's outputs.
    """

    _CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}

    def __init__(
        self, n_classes, *, cell="gru", vocabulary_size=None, n_features=1, embedding_dim=32,
        hidden_size=64, num_layers=1, bidirectional=True, dropout=0.0, kernel_size=None,
    ):
        super().__init__()
        self.embedding = None
        if vocabulary_size is not None:
            self.embedding = nn.Embedding(vocabulary_size, embedding_dim, padding_idx=0)
            n_features = embedding_dim
        self.conv = None
        if kernel_size:
            # n-gram detectors before the recurrence; the padding's zero embeddings act as the
            # convolution's zero padding, so a sequence's features do not depend on its batch.
            self.conv = nn.Sequential(
                nn.Conv1d(n_features, hidden_size, kernel_size, padding=kernel_size // 2), nn.ReLU(inplace=True)
            )
            n_features = hidden_size
        self.rnn = self._CELLS[cell](
            n_features, hidden_size, num_layers=num_layers, batch_first=True,
            bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0,
        )
        self.n_directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(2 * self.n_directions * hidden_size, n_classes)

    def forward(self, x, lengths):
        if self.embedding is not None:
            x = self.embedding(x)
        if self.conv is not None:
            x = self.conv(x.transpose(1, 2)).transpose(1, 2)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, hidden = self.rnn(packed)
        if isinstance(hidden, tuple):  # LSTM: (h, c)
            hidden = hidden[0]
        last = hidden[-self.n_directions:].transpose(0, 1).reshape(x.shape[0], -1)
        # Padded steps would win the maximum if left at zero; -inf keeps them out.
        padded, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, padding_value=float("-inf"))
        pooled = padded.max(dim=1).values
        return self.output(self.dropout(torch.cat([last, pooled], dim=1)))
