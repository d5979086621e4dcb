"""A recurrent network classifier for text and sequences: RNN, GRU or LSTM, trained by skorch."""

import re
from numbers import Integral, Real

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ..utils._compat import Interval, StrOptions, validate_data
from ._modules import PADDING, UNKNOWN, RNNSequenceClassifier
from ._skorch_base import SkorchClassifierBase, as_float32

_WORD = re.compile(r"\w+|[^\w\s]")


def _is_sequence(item):
    return isinstance(item, (list, tuple, np.ndarray)) and not isinstance(item, str)


def as_text_column(X):
    """A text column as users have it, as a 1-D object array; any other ``X`` unchanged.

    A one-column DataFrame, a Series or a pandas array (``str``/ArrowStringArray, StringArray,
    a Categorical) of a non-numeric dtype is such a column.
    """
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1 or is_numeric_dtype(X.dtypes.iloc[0]):
            return X
        X = X.iloc[:, 0]
    if isinstance(X, (pd.Series, pd.api.extensions.ExtensionArray)) and not is_numeric_dtype(X.dtype):
        return np.asarray(X, dtype=object)
    return X


def input_kind(X, input_type="auto"):
    """``"text"``, ``"tokens"`` or ``"numeric"``: how ``X`` is read (see ``RNNClassifier``)."""
    if input_type != "auto":
        return input_type
    X = as_text_column(X)
    if isinstance(X, (list, tuple)) or (isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype.kind in "OUS"):
        items = list(X[:1]) if isinstance(X, (list, tuple)) else X[:1].tolist()
        strings = isinstance(X, np.ndarray) and X.dtype.kind in "US"
        if strings or (items and isinstance(items[0], (str, bytes))):
            return "text"
        if items and _is_sequence(items[0]) and _is_ragged(X):
            return "tokens"
    return "numeric"


def _is_ragged(X):
    lengths = {len(item) for item in X if _is_sequence(item)}
    return len(lengths) > 1 or (isinstance(X, np.ndarray) and X.ndim == 1)


def _is_missing(item):
    return item is None or item is pd.NA or (isinstance(item, float) and np.isnan(item))


def _texts(X):
    """``X`` as a 1-D object array of strings, or a clear error."""
    X = np.asarray(as_text_column(X), dtype=object)
    if X.ndim != 1:
        raise ValueError(f"Text input must be a 1-D array of strings; got an array of shape {X.shape}.")
    if X.size == 0:
        raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
    others = [i for i, item in enumerate(X) if not isinstance(item, str)]
    missing = [i for i in others if _is_missing(X[i])]
    if missing:
        raise ValueError(
            f"X holds {len(missing)} missing value(s) (None, NaN or NA) instead of text, e.g. at "
            f"row(s) {missing[:5]}: drop or fill them (e.g. with an empty string replaced by a token)."
        )
    if others:
        kinds = sorted({type(X[i]).__name__ for i in others})
        raise TypeError(f"Text input must hold only strings; X also holds {kinds}, e.g. at row {others[0]}.")
    return X


def _tokenize(texts, tokenizer, max_length):
    """Each text as a list of at most ``max_length`` tokens (characters or words)."""
    if tokenizer == "char":
        return [list(text[:max_length]) for text in texts]
    return [_WORD.findall(text)[:max_length] for text in texts]


def _check_token_ids(ids):
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise ValueError("Token-id input must be sequences of integers (one 1-D sequence per sample).")
    if ids.size and ids.min() < 0:
        raise ValueError(f"Token ids must be non-negative (0 is padding); got {ids.min()}.")


def _token_sequences(X, max_length):
    """Token ids without the padding (id 0), each sequence cut to ``max_length``: ``(flat, lengths)``.

    A 2-D integer array is one sequence per row; anything else one 1-D sequence per item.
    """
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "iub":
        _check_token_ids(X)
        # The first max_length non-zero ids of each row, in order.
        keep = (X != 0) & (np.cumsum(X != 0, axis=1) <= max_length)
        return X[keep].astype(np.int64), keep.sum(axis=1)
    sequences = []
    for item in X:
        ids = np.asarray(item)
        if ids.ndim != 1:
            raise ValueError("Token-id input must be sequences of integers (one 1-D sequence per sample).")
        _check_token_ids(ids)
        sequences.append(ids[ids != 0][:max_length].astype(np.int64))
    return _concatenated(sequences)


def _concatenated(tokens):
    """All tokens of all samples in one flat array, and each sample's number of tokens."""
    lengths = np.array([len(row) for row in tokens], dtype=np.int64)
    flat = np.concatenate([np.asarray(row) for row in tokens]) if len(tokens) else np.array([])
    return flat, lengths


def _check_lengths(lengths):
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"X holds {empty.size} empty sequence(s) (empty strings, or no token other than the "
            f"padding id 0), e.g. at index {empty[:5].tolist()}; every sample needs at least one token."
        )


def encode(flat, lengths, vocabulary):
    """Token ids (n, max length): 0 pads, 1 is an unknown token, ``2 + i`` is ``vocabulary[i]``."""
    position = np.searchsorted(vocabulary, flat)
    position = np.minimum(position, len(vocabulary) - 1)
    ids = np.where(vocabulary[position] == flat, position + 2, UNKNOWN)
    padded = np.full((len(lengths), lengths.max()), PADDING, dtype=np.int64)
    padded[np.arange(lengths.max()) < lengths[:, None]] = ids
    return padded


class RNNClassifier(SkorchClassifierBase):
    """Recurrent network classifier for text, token ids or numeric sequences, through skorch.

    Raw text is read character by character (or as the token ids or numeric steps given). Each
    token is embedded together with the hashed n-grams that end at it; the embeddings pass a 1-D
    convolution (n-gram detectors) into a recurrent cell; its final states and the maximum of
    its outputs over time go through a linear layer to the class scores. Whole words are hidden
    at random in training (``word_dropout``). Training is mini-batch AdamW with optional early
    stopping and sample weights, on a GPU when ``device`` names one.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}, default="gru"
        The recurrent cell.
    hidden_size : int, default=64
        Units of the hidden state (per direction).
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=True
        Read the sequences both ways.
    embedding_dim : int, default=32
        Size of the learned token embedding (text and token-id input).
    tokenizer : {"char", "word"}, default="char"
        How text is split: into characters, or into words and punctuation marks
        (``\\w+|[^\\w\\s]``, case kept).
    max_length : int, default=200
        Text and token sequences longer than this are cut to their first ``max_length`` tokens
        (numeric sequences are not cut).
    input_type : {"auto", "text", "tokens", "numeric"}, default="auto"
        How ``X`` is read in ``fit``. ``"auto"``: strings are text (a list, a 1-D array, a
        pandas Series, ArrowStringArray, StringArray or Categorical, or a one-column DataFrame);
        a list (or 1-D object array) of integer sequences of different lengths is token ids;
        anything else is numeric sequences. ``"tokens"`` also reads a 2-D integer array as
        token ids, one row per sample. After ``fit``, ``X`` is read as the kind fitted on
        (``input_type_``): a model fitted on token ids takes a single sequence ``[[3, 1, 4]]``
        or sequences of equal lengths. Token id 0 is padding wherever it appears (the
        convention of Keras and of ``padding_idx=0``), so rows may be padded with zeros at
        either end; negative ids are refused.
    kernel_size : int or None, default=3
        Width of a 1-D convolution (``hidden_size`` channels, ReLU) over the embedded tokens
        before the recurrence: n-gram detectors for the recurrent layer to read. None feeds the
        embeddings (or the numbers) to the recurrence directly.
    ngram_range : tuple (min_n, max_n) or None, default=(2, 5)
        Text and token-id input: each token's embedding also sums the learned vectors of the
        n-grams of tokens (characters, words or ids) of lengths ``min_n`` to ``max_n`` that end
        at it, hashed into ``ngram_buckets`` rows (fastText's subword vectors). The network then
        sees which n-grams a text holds, as a bag-of-n-grams model does, and reads them in
        order. None: the token embeddings alone.
    ngram_buckets : int, default=16384
        Rows of the n-gram table: distinct n-grams beyond it share rows (hash collisions).
    dropout : float, default=0.3
        Dropout probability before the output layer (and between stacked layers).
    token_dropout : float, default=0.0
        In training, each token of text or token-id input is replaced by the unknown token with
        this probability, so that the network learns from many cues rather than a few; ignored
        for numeric sequences.
    word_dropout : float, default=0.15
        In training, each word is replaced by unknown tokens with this probability: for
        character text, a word is a run of characters between whitespace (a whole phone number
        or price disappears, not a digit of it); for word tokens and token ids, each token.
        Ignored for numeric sequences.
    max_epochs : int, default=10
        Number of passes over the training data.
    batch_size : int, default=32
        Samples per mini-batch.
    lr : float, default=3e-3
        Learning rate (the start of the schedule).
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
        AdamW (decoupled weight decay), Adam, or SGD: plain SGD unless ``momentum > 0``.
    momentum : float, default=0.0
        Momentum of ``optimizer="sgd"`` (ignored by the Adam optimisers).
    nesterov : bool, default=False
        Nesterov's momentum for ``optimizer="sgd"`` with ``momentum > 0``.
    weight_decay : float, default=1e-4
        Weight decay of the optimiser.
    schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"`` decays the learning rate from ``lr`` to ``lr / 100`` over ``max_epochs``
        epochs; ``"constant"`` keeps ``lr``.
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
        Where to train: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``, ...
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        ``"auto"``: bfloat16 autocast on a CUDA device that supports it (the weights and the
        loss stay float32), float32 on the CPU. ``"bfloat16"``: autocast on any device, the CPU
        included. ``"float32"``: float32 throughout.
    compile : bool, default=False
        Run the network through ``torch.compile``.
    n_jobs : int, default=None
        The torch CPU threads while fitting and predicting: None means 1, as in scikit-learn,
        ``-1`` means all cores.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, the shuffling and the validation split: on the
        CPU a fixed value gives the same network every time.
    verbose : int, default=0
        Above 0, one line per epoch: the training (and validation) loss and the elapsed time.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    input_type_ : str
        How ``X`` was read in ``fit``: ``"text"``, ``"tokens"`` or ``"numeric"``.
    vocabulary_ : ndarray
        The sorted tokens (characters, words or ids) learned in ``fit``; token ``vocabulary_[i]``
        has id ``i + 2`` (0 pads, 1 stands for any token not in the vocabulary). Text and token
        input only.
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
        Time steps of numeric sequences (``X.shape[1]``); not set for text or token input.

    See Also
    --------
    CNNClassifier : The convolutional counterpart, for images.

    Notes
    -----
    The embedding of token :math:`t` of a text is

    .. math::

        e_t = E[w_t] + \\sum_{n=\\text{min\\_n}}^{\\text{max\\_n}} G[h(w_{t-n+1}, \\dots, w_t)],

    with :math:`E` the token table, :math:`G` the n-gram table of ``ngram_buckets`` rows and
    :math:`h` a hash of the n-gram's token ids (fastText's subword vectors, Bojanowski et al.,
    2017). On the SMS Spam Collection the n-grams and ``word_dropout`` together raise the spam F1
    from 0.9443 to 0.9577 (mean over three seeds; the user guide has the measurements).

    Each sequence :math:`x_1, \\dots, x_T` (embedded tokens, or the numbers of each step, after
    the convolution of width ``kernel_size``) runs through the recurrent cell, e.g. the GRU's

    .. math::

        z_t = \\sigma(W_z x_t + U_z h_{t-1}), \\quad r_t = \\sigma(W_r x_t + U_r h_{t-1}), \\quad
        h_t = (1 - z_t) \\odot h_{t-1} + z_t \\odot \\tanh(W x_t + U (r_t \\odot h_{t-1})),

    and is summarised by its last hidden state (of each direction) beside the maximum of
    :math:`h_t` over time; a dense layer maps that to class scores, trained on the
    cross-entropy. The sequences of a batch are packed, so each is read for exactly its own
    length: padding never enters the recurrence, the pooling or the loss.

    A 2-D numeric ``X`` of shape (n, timesteps) is read as univariate sequences (one number per
    step), 3-D as (n, timesteps, features).

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import RNNClassifier
    >>> X = np.array(["win a free prize now", "see you at lunch", "free entry, text WIN",
    ...               "call me later", "claim your free reward", "lunch at noon?"] * 4, dtype=object)
    >>> y = np.array(["spam", "ham", "spam", "ham", "spam", "ham"] * 4)
    >>> model = RNNClassifier(max_epochs=10, random_state=0).fit(X, y)
    >>> model.input_type_
    'text'
    >>> model.predict(["free prize, text now"]).shape
    (1,)
    """

    _parameter_constraints = {
        **SkorchClassifierBase._parameter_constraints,
        "cell": [StrOptions({"rnn", "gru", "lstm"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "tokenizer": [StrOptions({"char", "word"})],
        "max_length": [Interval(Integral, 1, None, closed="left")],
        "input_type": [StrOptions({"auto", "text", "tokens", "numeric"})],
        "kernel_size": [Interval(Integral, 1, None, closed="left"), None],
        "token_dropout": [Interval(Real, 0, 1, closed="left")],
        "word_dropout": [Interval(Real, 0, 1, closed="left")],
        "ngram_range": [tuple, None],
        "ngram_buckets": [Interval(Integral, 1, 2**40, closed="both")],
    }

    def __init__(
        self,
        cell="gru",
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        embedding_dim=32,
        tokenizer="char",
        max_length=200,
        input_type="auto",
        kernel_size=3,
        ngram_range=(2, 5),
        ngram_buckets=2**14,
        dropout=0.3,
        token_dropout=0.0,
        word_dropout=0.15,
        max_epochs=10,
        batch_size=32,
        lr=3e-3,
        optimizer="adamw",
        momentum=0.0,
        nesterov=False,
        weight_decay=1e-4,
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
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.embedding_dim = embedding_dim
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.input_type = input_type
        self.kernel_size = kernel_size
        self.ngram_range = ngram_range
        self.ngram_buckets = ngram_buckets
        self.dropout = dropout
        self.token_dropout = token_dropout
        self.word_dropout = word_dropout
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

    # -- reading X -------------------------------------------------------------------------------

    def _tokens(self, X, kind):
        """Flat tokens and lengths of text or token-id input."""
        if kind == "text":
            flat, lengths = _concatenated(_tokenize(_texts(X), self.tokenizer, self.max_length))
        else:
            X = as_text_column(X)
            if len(X) == 0:
                raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
            flat, lengths = _token_sequences(X, self.max_length)
        _check_lengths(lengths)
        return flat, lengths

    def _numeric(self, X, y, reset):
        """Numeric sequences (n, timesteps, features) as float32, with their lengths."""
        if y is None:
            X = validate_data(self, X, reset=reset, allow_nd=True, dtype=[np.float32, np.float64])
        else:
            X, y = validate_data(self, X, y, reset=reset, allow_nd=True, dtype=[np.float32, np.float64])
        if X.ndim > 3:
            raise ValueError(
                "Numeric sequences must be 2-D (n, timesteps) or 3-D (n, timesteps, features); "
                f"got shape {X.shape}."
            )
        X = X.reshape(*X.shape[:2], -1)
        if not reset and X.shape[2] != self.n_sequence_features_:
            raise ValueError(
                f"X has {X.shape[2]} features per time step, but {type(self).__name__} was fitted "
                f"with {self.n_sequence_features_}."
            )
        lengths = np.full(len(X), X.shape[1], dtype=np.int64)
        return {"x": as_float32(X), "lengths": lengths}, y, X.shape[2]

    def _validate_fit_inputs(self, X, y, reset=True):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        kind = input_kind(X, self.input_type) if reset else self._fitted_kind(X)
        if kind == "numeric":
            inputs, y, n_features = self._numeric(X, y, reset)
            if reset:
                self.input_type_, self.n_sequence_features_ = kind, n_features
            return inputs, y
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        flat, lengths = self._tokens(X, kind)
        if reset:
            self.input_type_ = kind
            self.vocabulary_ = np.unique(flat)
        return {"x": encode(flat, lengths, self.vocabulary_), "lengths": lengths}, y

    def _fitted_kind(self, X):
        """How to read ``X`` after ``fit``: as the kind fitted on (``input_type_``).

        A model fitted on token ids reads any integer array as token ids, so a single sequence
        ``[[3, 1, 4]]`` or sequences of equal lengths (which alone would read as numbers) work.
        """
        kind = input_kind(X, self.input_type)
        if kind == self.input_type_ or (self.input_type_ == "tokens" and kind == "numeric"):
            return self.input_type_
        raise ValueError(
            f"{type(self).__name__} was fitted on {self.input_type_} input, but X is read as "
            f"{kind} (see the input_type parameter)."
        )

    def _validate_predict_inputs(self, X):
        kind = self._fitted_kind(X)
        if kind == "numeric":
            return self._numeric(X, None, reset=False)[0]
        flat, lengths = self._tokens(X, kind)
        return {"x": encode(flat, lengths, self.vocabulary_), "lengths": lengths}

    def _build_module(self):
        vocabulary_size = None if self.input_type_ == "numeric" else len(self.vocabulary_) + 2
        return RNNSequenceClassifier(
            len(self.classes_), cell=self.cell, vocabulary_size=vocabulary_size,
            n_features=getattr(self, "n_sequence_features_", 1), embedding_dim=self.embedding_dim,
            hidden_size=self.hidden_size, num_layers=self.num_layers, bidirectional=self.bidirectional,
            dropout=self.dropout, kernel_size=self.kernel_size, token_dropout=self.token_dropout,
            word_dropout=self.word_dropout, separator_ids=self._separator_ids(),
            ngram_range=self._checked_ngram_range(), ngram_buckets=self.ngram_buckets,
        )

    def _separator_ids(self):
        """The ids of the whitespace tokens (of character text), which separate the words."""
        if self.input_type_ == "numeric":
            return []
        tokens = self.vocabulary_.tolist()
        return [i + 2 for i, token in enumerate(tokens) if isinstance(token, str) and token.isspace()]

    def _checked_ngram_range(self):
        if self.ngram_range is None:
            return None
        valid = (
            len(self.ngram_range) == 2 and all(isinstance(n, Integral) for n in self.ngram_range)
            and 2 <= self.ngram_range[0] <= self.ngram_range[1]
        )
        if not valid:
            raise ValueError(
                f"ngram_range must be a pair (min_n, max_n) of integers with 2 <= min_n <= max_n, or None; "
                f"got {self.ngram_range!r} (n-grams of one token are the token embedding itself)."
            )
        return tuple(int(n) for n in self.ngram_range)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A 1-D array of strings (text) and 3-D (n, timesteps, features) sequences. one_d_array
        # stays False: the common checks would then feed 1-D *numbers*, which are refused (a
        # 1-D numeric X is ambiguous, and check_fit1d requires the refusal).
        tags.input_tags.string = True
        tags.input_tags.three_d_array = True
        return tags
