"""RNNClassifier: text, token ids and numeric sequences, packing, errors, tools, SMS spam F1."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="RNNClassifier needs torch")
pytest.importorskip("skorch", reason="RNNClassifier needs skorch")

import pandas as pd  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from skdl.datasets import load_sms_spam  # noqa: E402
from skdl.neural_network import RNNClassifier  # noqa: E402
from skdl.neural_network._modules import UNKNOWN, RNNSequenceClassifier, hashed_ngrams  # noqa: E402
from skdl.neural_network._rnn import input_kind  # noqa: E402

SMALL = dict(hidden_size=8, embedding_dim=4, max_epochs=2, random_state=0)


def _lower(texts):
    return np.array([text.lower() for text in texts], dtype=object)


@pytest.fixture(scope="module")
def sms():
    X, y = load_sms_spam(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def texts(sms):
    X_train, _, y_train, _ = sms
    # The 120 shortest messages of each class keep the recurrences short.
    order = np.argsort([len(text) for text in X_train], kind="stable")
    keep = np.concatenate([order[y_train[order] == label][:120] for label in (0, 1)])
    return X_train[keep], np.where(y_train[keep] == 1, "spam", "ham")


@pytest.mark.parametrize(
    "X, input_type, expected",
    [
        (np.array(["a", "bc"], dtype=object), "auto", "text"),
        (["a", "bc"], "auto", "text"),
        (np.array(["a", "bc"]), "auto", "text"),
        ([[1, 2, 3], [4]], "auto", "tokens"),
        (np.array([np.array([1, 2]), np.array([3])], dtype=object), "auto", "tokens"),
        (np.zeros((3, 4)), "auto", "numeric"),
        (np.zeros((3, 4, 2)), "auto", "numeric"),
        (np.zeros((3, 4), dtype=int), "auto", "numeric"),
        (np.zeros((3, 4), dtype=int), "tokens", "tokens"),
        (pd.Series(["a", "bc"]), "auto", "text"),
        (pd.Series(["a", "bc"]).astype("category"), "auto", "text"),
        (pd.DataFrame({"text": ["a", "bc"]}), "auto", "text"),
        (pd.DataFrame({"a": [1.0, 2.0]}), "auto", "numeric"),
        (pd.array(["a", "bc"], dtype="string[python]"), "auto", "text"),
    ],
)
def test_input_kind(X, input_type, expected):
    assert input_kind(X, input_type) == expected


def test_text_vocabulary_unknown_tokens_and_string_labels(texts):
    X, y = texts
    model = RNNClassifier(**SMALL).fit(X, y)
    assert model.input_type_ == "text" and not hasattr(model, "n_features_in_")
    assert set(model.vocabulary_) == set("".join(text[:200] for text in X))
    np.testing.assert_array_equal(model.classes_, ["ham", "spam"])
    assert set(model.predict(["☃☃☃ never seen ☃", "ok"])) <= {"ham", "spam"}
    words = RNNClassifier(**SMALL, tokenizer="word").fit(X, y)
    assert "call" in set(words.vocabulary_) and " " not in set(words.vocabulary_)


def test_max_length_cuts_long_texts(texts):
    X, y = texts
    model = RNNClassifier(**SMALL, max_length=5).fit(X, y)
    X = [text for text in X if len(text) >= 5][:10]
    long_tail = [text[:5] + "x" * 300 for text in X]
    np.testing.assert_allclose(model.predict_proba(long_tail), model.predict_proba([t[:5] for t in X]))


def test_packing_makes_each_prediction_independent_of_the_batch(texts):
    X, y = texts
    model = RNNClassifier(**SMALL).fit(X, y)
    together = model.predict_proba(X[:40])
    alone = np.vstack([model.predict_proba(X[i : i + 1]) for i in range(0, 40, 7)])
    np.testing.assert_allclose(alone, together[::7], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kernel_size, ngram_range", [(None, None), (3, None), (3, (2, 5))])
def test_module_ignores_padding(kernel_size, ngram_range):
    module = RNNSequenceClassifier(
        2, vocabulary_size=10, embedding_dim=3, hidden_size=4, kernel_size=kernel_size, ngram_range=ngram_range
    ).eval()
    x = torch.tensor([[3, 4, 5, 0, 0, 0]])
    longer_padding = torch.tensor([[3, 4, 5, 0, 0, 0, 0, 0, 0]])
    with torch.no_grad():
        a = module(x, torch.tensor([3]))
        b = module(longer_padding, torch.tensor([3]))
        c = module(x[:, :3], torch.tensor([3]))
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(a, c)


def test_token_dropout_hides_tokens_in_training_only():
    """With token_dropout=1 every token reads as unknown in training: only the lengths remain."""
    module = RNNSequenceClassifier(2, vocabulary_size=10, embedding_dim=3, hidden_size=4, kernel_size=3,
                                   token_dropout=1.0)
    lengths = torch.tensor([3, 2])
    a, b = torch.tensor([[3, 4, 5], [6, 7, 0]]), torch.tensor([[8, 9, 2], [2, 2, 0]])
    with torch.no_grad():
        torch.testing.assert_close(module.train()(a, lengths), module(b, lengths))
        assert not torch.allclose(module.eval()(a, lengths), module(b, lengths))


def test_hashed_ngrams_give_an_ngram_one_bucket_wherever_it_is():
    """Bucket of the n-gram ending at each position, 0 before the sequence and in its padding."""
    x = torch.tensor([[3, 4, 5, 3, 4, 5], [7, 3, 4, 5, 0, 0]])
    lengths = torch.tensor([6, 4])
    buckets = hashed_ngrams(x, lengths, (2, 3), n_buckets=1000)
    assert buckets.shape == (2, 6, 2)
    bigrams, trigrams = buckets[..., 0], buckets[..., 1]
    assert bigrams[0, 0] == 0 and (trigrams[0, :2] == 0).all() and (buckets[1, 4:] == 0).all()
    # (3, 4) ends at 1 and 4 of the first row and at 2 of the second; (3, 4, 5) at 2, 5 and 3.
    assert bigrams[0, 1] == bigrams[0, 4] == bigrams[1, 2]
    assert trigrams[0, 2] == trigrams[0, 5] == trigrams[1, 3]
    assert len({bigrams[0, 1].item(), bigrams[0, 2].item(), bigrams[0, 3].item()}) == 3
    assert bigrams[0, 2] != trigrams[0, 2]  # (4, 5) and (3, 4, 5) part ways
    assert buckets.min() >= 0 and buckets.max() <= 1000


def test_ngram_vectors_are_added_to_the_token_embeddings():
    module = RNNSequenceClassifier(2, vocabulary_size=10, embedding_dim=3, hidden_size=4, ngram_range=(2, 2))
    plain = RNNSequenceClassifier(2, vocabulary_size=10, embedding_dim=3, hidden_size=4)
    x, lengths = torch.tensor([[3, 4, 5, 3, 4]]), torch.tensor([5])
    with torch.no_grad():
        difference = module._embedded(x, lengths) - module.embedding(x)
        torch.testing.assert_close(difference[0, 0], torch.zeros(3))  # no n-gram ends at the first token
        torch.testing.assert_close(difference[0, 1], difference[0, 4])  # the bigram (3, 4) twice
        assert not torch.allclose(difference[0, 1], difference[0, 2])
        torch.testing.assert_close(plain._embedded(x, lengths), plain.embedding(x))


def test_word_dropout_hides_whole_words_in_training_only():
    """A word (between separator tokens) is hidden whole or not at all; separators stay."""
    separator = 2
    module = RNNSequenceClassifier(2, vocabulary_size=10, embedding_dim=3, hidden_size=4, word_dropout=0.5,
                                   separator_ids=[separator])
    torch.manual_seed(0)
    x = torch.tensor([[3, 4, 5, separator, 6, 7, separator, 8, separator, 9, 9, 9]] * 200)
    hidden = module._hide(x, 0.5, by_word=True) == UNKNOWN
    assert not hidden[x == separator].any()
    for start, stop in [(0, 3), (4, 6), (7, 8), (9, 12)]:
        word = hidden[:, start:stop]
        assert (word.all(dim=1) | ~word.any(dim=1)).all()
        assert 0.35 < word.all(dim=1).float().mean() < 0.65
    lengths = torch.tensor([12, 12])
    everything = RNNSequenceClassifier(2, vocabulary_size=10, embedding_dim=3, hidden_size=4, word_dropout=1.0,
                                       separator_ids=[separator])
    a = torch.tensor([[3, 4, separator, 5] * 3, [6] * 12])
    b = torch.tensor([[9, 9, separator, 8] * 3, [7] * 12])
    with torch.no_grad():
        torch.testing.assert_close(everything.train()(a, lengths), everything(b, lengths))
        assert not torch.allclose(everything.eval()(a, lengths), everything(b, lengths))


def test_without_separators_each_token_is_a_word():
    module = RNNSequenceClassifier(2, vocabulary_size=10, embedding_dim=3, hidden_size=4, word_dropout=0.5)
    torch.manual_seed(0)
    hidden = module._hide(torch.tensor([[3] * 1000 + [0] * 10]), 0.5, by_word=True) == UNKNOWN
    assert 0.45 < hidden[0, :1000].float().mean() < 0.55 and not hidden[0, 1000:].any()


def test_the_spaces_of_character_text_separate_the_words(texts):
    X, y = texts
    chars = RNNClassifier(**SMALL).fit(X, y)
    assert [chars.vocabulary_[i - 2] for i in chars._separator_ids()] == [" "]
    assert chars.module_.separators.sum() == 1
    words = RNNClassifier(**SMALL, tokenizer="word").fit(X, y)
    assert words.module_.separators is None


@pytest.mark.parametrize("ngram_range", [(1, 3), (4, 3), (2,), (2.0, 3)])
def test_bad_ngram_range_is_refused(texts, ngram_range):
    X, y = texts
    with pytest.raises(ValueError, match="ngram_range must be a pair"):
        RNNClassifier(**SMALL, ngram_range=ngram_range).fit(X, y)


def test_token_dropout_draws_from_the_seeded_generator(texts):
    X, y = texts
    first, again = (RNNClassifier(**SMALL, token_dropout=0.2).fit(X, y) for _ in range(2))
    np.testing.assert_array_equal(first.predict_proba(X), again.predict_proba(X))
    without = RNNClassifier(**SMALL).fit(X, y)
    assert not np.allclose(first.predict_proba(X), without.predict_proba(X))


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_cells_on_ragged_token_ids(cell):
    rng = np.random.default_rng(0)
    X = [rng.integers(1, 20, size=rng.integers(1, 12)) for _ in range(60)]
    y = np.array([int(7 in seq) for seq in X])
    model = RNNClassifier(cell, **SMALL).fit(X, y)
    assert model.input_type_ == "tokens"
    assert model.predict([[7, 7, 1], [100, 3]]).shape == (2,)  # 100 is unknown


def test_token_id_0_pads_wherever_it_is():
    """0 is padding, as in Keras and torch's padding_idx=0: rows padded at either end read alike."""
    X = np.array([[1, 2, 3, 0], [4, 5, 0, 0], [1, 1, 1, 1], [5, 0, 0, 0]] * 10)
    y = np.array([0, 1, 0, 1] * 10)
    model = RNNClassifier(**SMALL, input_type="tokens").fit(X, y)
    unpadded = model.predict_proba([[1, 2, 3], [4, 5]])
    np.testing.assert_allclose(model.predict_proba(X[:2]), unpadded, rtol=1e-6)
    np.testing.assert_allclose(model.predict_proba(np.array([[0, 1, 2, 3], [0, 0, 4, 5]])), unpadded, rtol=1e-6)
    np.testing.assert_allclose(model.predict_proba([[1, 2, 3, 0, 0], [4, 5]]), unpadded, rtol=1e-6)
    assert 0 not in model.vocabulary_
    with pytest.raises(ValueError, match="non-negative"):
        model.predict([[1, -1, 2]])
    with pytest.raises(ValueError, match="empty sequence"):
        model.predict([[0, 0], [1]])


def test_after_fit_token_input_is_read_as_tokens_even_when_not_ragged():
    rng = np.random.default_rng(0)
    X = [rng.integers(1, 20, size=rng.integers(1, 12)) for _ in range(60)]
    y = np.array([int(7 in seq) for seq in X])
    model = RNNClassifier(**SMALL).fit(X, y)
    assert model.input_type_ == "tokens"
    single = model.predict_proba([[7, 3, 1]])
    np.testing.assert_allclose(single, model.predict_proba([[7, 3, 1], [2]])[:1], rtol=1e-6)
    assert model.predict(np.array([[7, 3], [1, 2]])).shape == (2,)


@pytest.mark.parametrize("shape", [(50, 6), (50, 6, 3)])
def test_numeric_sequences(shape):
    rng = np.random.default_rng(0)
    X = rng.normal(size=shape)
    y = (X.reshape(50, -1).sum(axis=1) > 0).astype(int)
    model = RNNClassifier(**SMALL).fit(X, y)
    assert model.input_type_ == "numeric" and model.n_features_in_ == 6
    assert model.predict(X).shape == (50,)


def test_bad_input_gets_clear_errors(texts):
    X, y = texts
    with pytest.raises(ValueError, match="empty"):
        RNNClassifier(**SMALL).fit(np.append(X[:10], ""), np.append(y[:10], "ham"))
    with pytest.raises(TypeError, match="only strings"):
        RNNClassifier(**SMALL).fit(np.array(["a", 3, "b"], dtype=object), [0, 1, 0])
    with pytest.raises(ValueError, match="only one class"):
        RNNClassifier(**SMALL).fit(X[:10], ["ham"] * 10)
    with pytest.raises(ValueError, match="NaN"):
        RNNClassifier(**SMALL).fit(np.array([[0.0, np.nan], [1.0, 2.0]]), [0, 1])
    with pytest.raises(ValueError, match="integers"):
        RNNClassifier(**SMALL).fit([[0.5, 1.5], [1.0]], [0, 1])
    model = RNNClassifier(**SMALL).fit(X[::6], y[::6])
    with pytest.raises(ValueError, match="fitted on text"):
        model.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="empty"):
        model.predict(["fine", ""])
    with pytest.raises(ValueError, match=r"2 missing value\(s\) .* row\(s\) \[1, 2\]"):
        model.predict(pd.Series(["fine", None, np.nan], dtype=object))
    with pytest.raises(ValueError, match=r"mix types \(int, str\)"):
        RNNClassifier(**SMALL).fit(X[:6], np.array([0, "spam", 1, "ham", 0, "spam"], dtype=object))
    with pytest.raises(TypeError, match=r"dense data is required. Use '.toarray\(\)'"):
        RNNClassifier(**SMALL).fit(sparse.csr_matrix(np.ones((4, 3))), [0, 1, 0, 1])


def test_tags_declare_strings_and_3d_sequences():
    tags = get_tags(RNNClassifier()).input_tags
    assert tags.string and tags.three_d_array and tags.two_d_array and not tags.sparse


def test_partial_fit_keeps_the_vocabulary(texts):
    X, y = texts
    model = RNNClassifier(**SMALL)
    model.partial_fit(X[::2], y[::2], classes=["ham", "spam"])
    vocabulary = model.vocabulary_.copy()
    model.partial_fit(np.array(["ⓩⓩ new"] * 4 + ["ok"] * 4, dtype=object), ["spam", "ham"] * 4)
    np.testing.assert_array_equal(model.vocabulary_, vocabulary)
    assert len(model.history_) == 2


def test_variable_length_text_in_pipeline_and_grid_search(texts):
    X, y = texts
    pipe = make_pipeline(FunctionTransformer(_lower), RNNClassifier(**SMALL))
    grid = {"rnnclassifier__lr": [1e-3, 1e-2], "rnnclassifier__hidden_size": [4, 8]}
    search = GridSearchCV(pipe, grid, cv=2, scoring="f1_macro").fit(X, y)
    assert set(search.best_params_) == set(grid)
    assert search.predict(X[:3]).shape == (3,)


def _text_forms(texts):
    series = pd.Series(list(texts), dtype="str")
    return {
        "list": list(texts),
        "Series str": series,
        "ArrowStringArray": series.array,
        "StringArray": pd.array(list(texts), dtype="string[python]"),
        "Categorical": pd.Categorical(list(texts)),
        "one-column DataFrame": pd.DataFrame({"message": series}),
    }


def test_text_in_every_pandas_form_at_fit_and_predict(texts):
    X, y = texts[0][::6], texts[1][::6]
    expected = RNNClassifier(**SMALL).fit(np.asarray(X, dtype=object), y).predict_proba(X)
    for name, form in _text_forms(X).items():
        model = RNNClassifier(**SMALL).fit(form, y)
        assert model.input_type_ == "text", name
        np.testing.assert_allclose(model.predict_proba(form), expected, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-6, err_msg=name)


def test_fits_load_sms_spam_as_frame():
    X, y = load_sms_spam(return_X_y=True, as_frame=True)
    X, y = X.iloc[::20], y.iloc[::20]
    model = RNNClassifier(**{**SMALL, "max_epochs": 1}).fit(X, y)
    assert model.predict(X).shape == (len(X),) and model.input_type_ == "text"


@pytest.mark.slow
def test_sms_spam_f1_with_defaults(sms):
    """On the raw text, with default hyperparameters and seed 0: F1 on spam at least 0.95.

    (The mean over three seeds and the character TF-IDF baselines are in the user guide.)
    """
    X_train, X_test, y_train, y_test = sms
    model = RNNClassifier(random_state=0).fit(X_train, y_train)
    assert f1_score(y_test, model.predict(X_test)) >= 0.95
