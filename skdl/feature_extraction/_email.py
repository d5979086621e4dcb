r"""The course's e-mail preprocessing (``processEmail.m``) and its binary word features.

An e-mail becomes a list of stemmed words by the course's steps, in its order:

1. lower-case the text;
2. replace every HTML tag ``<...>`` by a space;
3. replace every run of digits by ``number``;
4. replace every URL ``http://...`` or ``https://...`` by ``httpaddr``;
5. replace every ``something@something`` by ``emailaddr``;
6. replace every run of ``$`` by ``dollar``;
7. split on the course's delimiters (white space and ``@$/#.-:&*+=[]?!(){},'">_<;%``), remove
   what is not a letter or a digit from each piece, and reduce each word to its Porter stem
   (the original algorithm, as the course's ``porterStemmer.m``), dropping empty words.

The features of an e-mail are then one indicator per vocabulary word: 1 when the word occurs.
"""

import re
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from sklearn.base import BaseEstimator, TransformerMixin

from ..datasets import load_email_vocabulary
from ..utils._compat import HasMethods, _fit_context

_HTML_TAG = re.compile(r"<[^<>]+>")
_NUMBER = re.compile(r"[0-9]+")
_URL = re.compile(r"(http|https)://[^\s]*")
_EMAIL_ADDRESS = re.compile(r"[^\s]+@[^\s]+")
_DOLLAR = re.compile(r"[$]+")
# The course's strtok delimiters: space, @$/#.-:&*+=[]?!(){},'">_<;% and the two line ends.
_DELIMITERS = re.compile(r"[ @$/#.\-:&*+=\[\]?!(){},'\">_<;%\n\r]+")
_NOT_ALPHANUMERIC = re.compile(r"[^a-zA-Z0-9]")


def _normalise(text):
    """Steps 1-6: lower case, no HTML, and the course's placeholders for numbers, URLs, addresses, $."""
    text = _HTML_TAG.sub(" ", text.lower())
    text = _NUMBER.sub("number", text)
    text = _URL.sub("httpaddr", text)
    text = _EMAIL_ADDRESS.sub("emailaddr", text)
    return _DOLLAR.sub("dollar", text)


def _words(text):
    """Step 7 before stemming: the pieces between delimiters, letters and digits only, non-empty."""
    pieces = (_NOT_ALPHANUMERIC.sub("", piece) for piece in _DELIMITERS.split(_normalise(text)))
    return [piece for piece in pieces if piece]


def _stem_all(texts):
    """The stemmed words of each text; each distinct word is stemmed once."""
    words = [_words(text) for text in texts]
    stemmer = snowballstemmer.stemmer("porter")  # one per call: a stemmer is not thread-safe
    distinct = sorted(set().union(*words)) if words else []
    stems = dict(zip(distinct, stemmer.stemWords(distinct)))
    return [[stems[word] for word in text_words if stems[word]] for text_words in words]


def process_email(text):
    """The course's ``processEmail``: the stemmed words of an e-mail, in order.

    Parameters
    ----------
    text : str
        The raw e-mail.

    Returns
    -------
    words : list of str
        The words after the course's normalisation (``number``, ``httpaddr``, ``emailaddr``,
        ``dollar``), tokenisation and Porter stemming.

    Examples
    --------
    >>> from skdl.feature_extraction import process_email
    >>> process_email("Visit http://example.com for $10 now, anyone!")
    ['visit', 'httpaddr', 'for', 'dollarnumb', 'now', 'anyon']
    """
    return _stem_all([text])[0]


def _vocabulary_index(vocabulary):
    """``{word: column}`` from None (the course's 1899 words), a list of words or a mapping."""
    if vocabulary is None:
        vocabulary = load_email_vocabulary()
    if isinstance(vocabulary, Mapping):
        index = dict(vocabulary)
        if sorted(index.values()) != list(range(len(index))):
            raise ValueError("The columns of a vocabulary mapping must be 0, 1, ..., len(vocabulary) - 1.")
    else:
        words = list(vocabulary)
        index = {word: column for column, word in enumerate(words)}
        if len(index) != len(words):
            duplicated = sorted({word for word in words if words.count(word) > 1})
            raise ValueError(f"The vocabulary repeats {duplicated[:5]}; each word must appear once.")
    if not index:
        raise ValueError("The vocabulary is empty.")
    return index


def _check_documents(raw_documents):
    if isinstance(raw_documents, str):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    documents = list(raw_documents)
    bad = [type(doc).__name__ for doc in documents if not isinstance(doc, str)]
    if bad:
        raise TypeError(f"Each document must be a str; got {bad[0]}.")
    return documents


class EmailVectorizer(TransformerMixin, BaseEstimator):
    """The course's spam-filter features: which vocabulary words an e-mail contains.

    Each raw e-mail goes through the course's preprocessing (:func:`process_email`: lower case,
    HTML removed, numbers, URLs, addresses and dollar signs normalised, Porter stems), and becomes
    one row of 0/1 indicators over the vocabulary. With the default vocabulary the columns are
    those of :func:`~skdl.datasets.load_spam_emails`, so a classifier trained on the course's
    ``spamTrain.mat`` classifies raw e-mails through this transformer.

    The vocabulary is given, not learned: ``fit`` only checks it, and the transformer needs no
    fitting (like scikit-learn's ``HashingVectorizer``).

    Parameters
    ----------
    vocabulary : iterable of str, mapping of str to int, or None, default=None
        The words, their position giving the column (or a mapping word -> column). ``None`` is
        the course's 1899-word ``vocab.txt``. Words are matched after stemming, so they should
        be stems.
    dtype : dtype, default=np.float64
        Type of the returned matrix.

    See Also
    --------
    process_email : The preprocessing of one e-mail.
    skdl.datasets.load_email_vocabulary : The course's vocabulary.
    sklearn.feature_extraction.text.CountVectorizer : Word counts with a learned vocabulary.

    Notes
    -----
    The course numbers words from 1 (MATLAB); column ``j`` here is the course's word ``j + 1``.
    The stemmer is snowballstemmer's ``porter``, the original Porter (1980) algorithm as the
    course's ``porterStemmer.m``.

    References
    ----------
    .. [1] M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980.

    Examples
    --------
    The course's first sample e-mail has 45 distinct vocabulary words:

    >>> from skdl.datasets import load_sample_emails
    >>> from skdl.feature_extraction import EmailVectorizer
    >>> emails = load_sample_emails()
    >>> features = EmailVectorizer().transform(emails.data[:1])
    >>> features.shape, features.nnz
    ((1, 1899), 45)
    """

    _parameter_constraints = {
        "vocabulary": [Mapping, HasMethods(["__iter__"]), None],
        "dtype": "no_validation",
    }

    def __init__(self, vocabulary=None, *, dtype=np.float64):
        self.vocabulary = vocabulary
        self.dtype = dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, raw_documents=None, y=None):
        """Check the parameters; nothing is learned.

        Parameters
        ----------
        raw_documents : iterable of str, default=None
            Ignored (checked to be text when given).
        y : None
            Ignored.

        Returns
        -------
        self : EmailVectorizer
            The vectorizer, unchanged.
        """
        _vocabulary_index(self.vocabulary)
        if raw_documents is not None:
            _check_documents(raw_documents)
        return self

    def transform(self, raw_documents):
        """Return the word indicators of each e-mail.

        Parameters
        ----------
        raw_documents : iterable of str
            Raw e-mails.

        Returns
        -------
        X : sparse matrix of shape (n_documents, n_words), CSR
            ``X[i, j] = 1`` when e-mail ``i`` contains vocabulary word ``j``.
        """
        index = _vocabulary_index(self.vocabulary)
        stemmed = _stem_all(_check_documents(raw_documents))
        columns = [sorted({index[word] for word in words if word in index}) for words in stemmed]
        indptr = np.cumsum([0] + [len(row) for row in columns])
        indices = np.fromiter((column for row in columns for column in row), dtype=np.int32, count=indptr[-1])
        data = np.ones(len(indices), dtype=self.dtype)
        return sp.csr_matrix((data, indices, indptr), shape=(len(columns), len(index)))

    def get_feature_names_out(self, input_features=None):
        """The vocabulary words, in column order.

        Parameters
        ----------
        input_features : None
            Ignored (the input is text).

        Returns
        -------
        names : ndarray of str objects
            Word ``j`` names column ``j``.
        """
        index = _vocabulary_index(self.vocabulary)
        names = np.empty(len(index), dtype=object)
        for word, column in index.items():
            names[column] = word
        return names

    def __sklearn_is_fitted__(self):
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
