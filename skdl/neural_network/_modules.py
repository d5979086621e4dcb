"""The recurrent torch module behind :class:`~skdl.neural_network.RNNClassifier`.

The convolutional networks are in :mod:`skdl.neural_network._architectures`.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["RNNSequenceClassifier"]

PADDING, UNKNOWN = 0, 1  # token ids reserved before the vocabulary's


class RNNSequenceClassifier(nn.Module):
    """A recurrent classifier: (embedding), (convolution), RNN/GRU/LSTM over packed sequences, dense output.

    ``forward(x, lengths)`` takes ``x`` of shape (batch, time) holding token ids (0 is padding)
    when ``vocabulary_size`` is given, or (batch, time, features) numbers otherwise, and each
    sequence's length. The sequences are packed, so the padding never enters the recurrence.
    In training, ``token_dropout`` replaces each token by the unknown token (id 1) with that
    probability (word dropout, for characters here): the network cannot lean on any single
    token being there. The sequence is summarised by the last hidden state of the top layer
    (both directions when bidirectional) concatenated with the maximum over time of the top
    layer's outputs.
    """

    _CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}

    def __init__(
        self, n_classes, *, cell="gru", vocabulary_size=None, n_features=1, embedding_dim=32,
        hidden_size=64, num_layers=1, bidirectional=True, dropout=0.0, kernel_size=None,
        token_dropout=0.0,
    ):
        super().__init__()
        self.token_dropout = token_dropout
        self.embedding = None
        if vocabulary_size is not None:
            self.embedding = nn.Embedding(vocabulary_size, embedding_dim, padding_idx=PADDING)
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
            if self.training and self.token_dropout > 0:
                dropped = (torch.rand(x.shape, device=x.device) < self.token_dropout) & (x != PADDING)
                x = x.masked_fill(dropped, UNKNOWN)
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
