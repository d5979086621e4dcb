"""The recurrent torch module behind :class:`~skdl.neural_network.RNNClassifier`.

The convolutional networks are in :mod:`skdl.neural_network._architectures`.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["RNNSequenceClassifier"]

PADDING, UNKNOWN = 0, 1  # token ids reserved before the vocabulary's
NGRAM_INIT_STD = 0.3  # the n-gram vectors start smaller than the tokens' (N(0, 1)): several add up
_HASH_MULTIPLIER, _HASH_OFFSET = 1_000_003, 7_919  # primes; (n_buckets - 1) * P fits in int64


def hashed_ngrams(x, lengths, ngram_range, n_buckets):
    """For each position ``t`` and each ``n`` in ``ngram_range``, the bucket of the n-gram of
    token ids ``x[t - n + 1 .. t]``: a tensor (batch, time, number of n's) of ids in
    ``1 .. n_buckets``, 0 where the n-gram would reach before the sequence or into its padding.

    The hash is the rolling polynomial ``h_n(t) = (h_{n-1}(t - 1) * P + x_t) mod n_buckets``
    (``h_1 = x``), offset by ``n`` so that an n-gram and an m-gram of the same ids part ways: integer
    arithmetic, the same on every device.
    """
    min_n, max_n = ngram_range
    position = torch.arange(x.shape[1], device=x.device)[None, :]
    inside = position < lengths.to(x.device)[:, None]
    rolling, buckets = x, []
    for n in range(2, max_n + 1):
        previous = torch.zeros_like(rolling)
        previous[:, 1:] = rolling[:, :-1]
        rolling = (previous * _HASH_MULTIPLIER + x) % n_buckets
        if n >= min_n:
            valid = inside & (position >= n - 1)
            buckets.append(torch.where(valid, (rolling + n * _HASH_OFFSET) % n_buckets + 1, 0))
    return torch.stack(buckets, dim=2)


class RNNSequenceClassifier(nn.Module):
    """A recurrent classifier: (embedding), (convolution), RNN/GRU/LSTM over packed sequences, dense output.

    ``forward(x, lengths)`` takes ``x`` of shape (batch, time) holding token ids (0 is padding)
    when ``vocabulary_size`` is given, or (batch, time, features) numbers otherwise, and each
    sequence's length. The sequences are packed, so the padding never enters the recurrence.
    With ``ngram_range=(min_n, max_n)``, each token's embedding is the sum of its own vector and
    those of the n-grams (``min_n <= n <= max_n``) of tokens that end at it, each hashed into one of
    ``ngram_buckets`` rows of a second table (fastText's subword vectors, for the n-grams of
    characters here): the network reads which n-grams a text holds, as a bag-of-n-grams model
    does, and its recurrence reads them in order.

    In training, ``word_dropout`` replaces each word by unknown tokens (id 1) with that
    probability: a word is a run of tokens between the ``separator_ids`` (the spaces of
    character text), or each token when there are none. ``token_dropout`` does the same to each
    token. The network cannot lean on any single word (a phone number, say) being there. The
    sequence is summarised by the last hidden state of the top layer (both directions when
    bidirectional) concatenated with the maximum over time of the top layer's outputs.
    """

    _CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}

    def __init__(
        self, n_classes, *, cell="gru", vocabulary_size=None, n_features=1, embedding_dim=32,
        hidden_size=64, num_layers=1, bidirectional=True, dropout=0.0, kernel_size=None,
        token_dropout=0.0, word_dropout=0.0, separator_ids=(), ngram_range=None, ngram_buckets=2**14,
    ):
        super().__init__()
        self.token_dropout = token_dropout
        self.word_dropout = word_dropout
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
        self.ngram_range, self.ngram_buckets, self.ngram_embedding = ngram_range, ngram_buckets, None
        if self.embedding is not None and ngram_range is not None:
            self.ngram_embedding = nn.Embedding(ngram_buckets + 1, embedding_dim, padding_idx=PADDING)
            with torch.no_grad():
                self.ngram_embedding.weight.normal_(0.0, NGRAM_INIT_STD)[PADDING].zero_()
        separators = None
        if self.embedding is not None and len(separator_ids):
            separators = torch.zeros(vocabulary_size, dtype=torch.bool)
            separators[list(separator_ids)] = True
        self.register_buffer("separators", separators, persistent=False)  # None: each token a word

    def _hide(self, x, probability, by_word=False):
        """``x`` with each token (or each word, ``by_word``) replaced by unknown tokens with
        ``probability``; the padding and the separators stay. Without separators every token is
        a word."""
        keep = x != PADDING
        if by_word and self.separators is not None:
            separator = self.separators[x]
            word, keep = torch.cumsum(separator.long(), dim=1), keep & ~separator
            hidden = (torch.rand(x.shape[0], x.shape[1] + 1, device=x.device) < probability).gather(1, word)
        else:
            hidden = torch.rand(x.shape, device=x.device) < probability
        return x.masked_fill(hidden & keep, UNKNOWN)

    def _embedded(self, x, lengths):
        if self.training and self.word_dropout > 0:
            x = self._hide(x, self.word_dropout, by_word=True)
        if self.training and self.token_dropout > 0:
            x = self._hide(x, self.token_dropout)
        embedded = self.embedding(x)
        if self.ngram_embedding is not None:
            ngrams = self.ngram_embedding(hashed_ngrams(x, lengths, self.ngram_range, self.ngram_buckets))
            for k in range(ngrams.shape[2]):
                embedded = embedded + ngrams[:, :, k]
        return embedded

    def forward(self, x, lengths):
        if self.embedding is not None:
            x = self._embedded(x, lengths)
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
