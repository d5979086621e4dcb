"""The course's spam filter from raw text: processEmail, the word features and the trained linear SVM."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from skdl.datasets import load_email_vocabulary, load_sample_emails, load_spam_emails
from skdl.feature_extraction import EmailVectorizer, process_email
from skdl.svm import SVC

# ex6_spam.m on emailSample1.txt ("Word Indices:"), numbered from 1 as in MATLAB.
COURSE_WORD_INDICES = [
    86, 916, 794, 1077, 883, 370, 1699, 790, 1822, 1831, 883, 431, 1171, 794, 1002, 1893, 1364,
    592, 1676, 238, 162, 89, 688, 945, 1663, 1120, 1062, 1699, 375, 1162, 479, 1893, 1510, 799,
    1182, 1237, 810, 1895, 1440, 1547, 181, 1699, 1758, 1896, 688, 1676, 992, 961, 1477, 71, 530,
    1699, 531,
]
# ex6_spam.m, "Top predictors of spam" with the linear SVM (C = 0.1) trained on spamTrain.mat.
COURSE_TOP_PREDICTORS = [
    ("our", 0.500614), ("click", 0.465916), ("remov", 0.422869), ("guarante", 0.383622),
    ("visit", 0.367710), ("basenumb", 0.345064), ("dollar", 0.323632), ("will", 0.269724),
    ("price", 0.267298), ("pleas", 0.261169), ("most", 0.257298), ("nbsp", 0.253941),
    ("lo", 0.253467), ("ga", 0.248297), ("hour", 0.246404),
]


@pytest.fixture(scope="module")
def spam_filter():
    X, y = load_spam_emails(return_X_y=True)
    spam_filter = make_pipeline(EmailVectorizer(), SVC(kernel="linear", C=0.1))
    # spamTrain.mat holds the course's features of its training e-mails, i.e. what the
    # vectoriser makes of them: the classifier is trained on those.
    spam_filter[-1].fit(X, y)
    return spam_filter


def test_process_email_gives_the_courses_words_for_email_sample_1():
    words = process_email(load_sample_emails().data[0])
    assert " ".join(words[:12]) == "anyon know how much it cost to host a web portal well"
    assert "dollarnumb" in words and "httpaddr" in words and "emailaddr" in words and "ecnumb" in words
    index = {word: column for column, word in enumerate(load_email_vocabulary())}
    assert [index[word] + 1 for word in words if word in index] == COURSE_WORD_INDICES


def test_email_sample_1_has_the_courses_1899_features_with_45_non_zeros():
    features = EmailVectorizer().transform(load_sample_emails().data[:1])
    assert features.shape == (1, 1899)
    assert features.nnz == 45 == len(set(COURSE_WORD_INDICES))
    assert_array_equal(features.indices, np.unique(COURSE_WORD_INDICES) - 1)
    assert features.dtype == np.float64 and set(features.data) == {1.0}


def test_normalisation_steps_follow_process_email():
    text = "<b>WIN</b> $$$ at http://spam.example.com/x?id=7 or mail me@example.com, 24/7!"
    assert process_email(text) == ["win", "dollar", "at", "httpaddr", "or", "mail", "emailaddr", "number", "number"]


def test_spam_filter_classifies_the_four_sample_emails_as_the_course(spam_filter):
    emails = load_sample_emails()
    assert_array_equal(spam_filter.predict(emails.data), [0, 0, 1, 1])
    assert_array_equal(spam_filter.predict(emails.data), emails.target)


def test_spam_filter_top_predictors_are_the_courses(spam_filter):
    weights = spam_filter[-1].coef_.ravel()
    names = spam_filter[0].get_feature_names_out()
    top = np.argsort(-weights)[: len(COURSE_TOP_PREDICTORS)]
    assert [names[j] for j in top] == [word for word, _ in COURSE_TOP_PREDICTORS]
    np.testing.assert_allclose(weights[top], [weight for _, weight in COURSE_TOP_PREDICTORS], atol=5e-6)


def test_vectorizer_output_matches_the_bundled_features_columns():
    X, _ = load_spam_emails(return_X_y=True)
    assert list(EmailVectorizer().get_feature_names_out()) == load_email_vocabulary()
    assert EmailVectorizer().transform(["x"]).shape[1] == X.shape[1]


def test_any_vocabulary_can_be_given_as_words_or_a_mapping():
    texts = ["Click here to remove yourself", "see you at lunch"]
    by_list = EmailVectorizer(["click", "lunch", "remov"]).fit(texts).transform(texts)
    assert_array_equal(by_list.toarray(), [[1, 0, 1], [0, 1, 0]])
    by_mapping = EmailVectorizer({"lunch": 0, "click": 1}).transform(texts)
    assert_array_equal(by_mapping.toarray(), [[0, 1], [1, 0]])
    assert list(EmailVectorizer({"lunch": 0, "click": 1}).get_feature_names_out()) == ["lunch", "click"]


@pytest.mark.parametrize("vocabulary, message", [
    (["a", "b", "a"], "repeats"),
    ({"a": 0, "b": 2}, "columns"),
    ([], "empty"),
])
def test_bad_vocabularies_are_refused(vocabulary, message):
    with pytest.raises(ValueError, match=message):
        EmailVectorizer(vocabulary).fit(["text"])


def test_documents_must_be_an_iterable_of_strings():
    with pytest.raises(ValueError, match="string object received"):
        EmailVectorizer().transform("one e-mail")
    with pytest.raises(TypeError, match="str"):
        EmailVectorizer().transform([b"bytes"])


def test_vectorizer_needs_no_fit_clones_and_pickles():
    emails = load_sample_emails().data
    vectorizer = EmailVectorizer(dtype=np.float32)
    features = vectorizer.transform(emails)
    assert features.dtype == np.float32
    assert (clone(vectorizer).fit_transform(emails) != features).nnz == 0
    assert (pickle.loads(pickle.dumps(vectorizer)).transform(emails) != features).nnz == 0
