"""Demo cases of the support vector machines, on the course's exercise 6 and the SMS collection.

SVC runs beside scikit-learn's libsvm with the same parameters and tolerance (same model, same
support vectors); LinearSVC beside liblinear on the SMS Spam Collection's TF-IDF features.
"""

from sklearn import svm as sk_svm
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from ..datasets import load_sms_spam, load_spam_emails, load_svm_points
from ..svm import SVC, LinearSVC
from ._runner import DemoCase

_SIGMA = 0.1  # the course's bandwidth for ex6data2
_EX6DATA2 = dict(kernel="rbf", C=1.0, gamma=1 / (2 * _SIGMA**2))


def _spam():
    X_train, y_train = load_spam_emails(subset="train", return_X_y=True)
    X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
    return X_train, y_train, X_test, y_test


def _ex6data2():
    X, y = load_svm_points(2, return_X_y=True)
    return X, y, X, y


def _sms_tfidf():
    data = load_sms_spam()
    train, test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, random_state=0, stratify=data.target
    )
    vectorizer = TfidfVectorizer().fit(train)
    return vectorizer.transform(train), y_train, vectorizer.transform(test), y_test


def _accuracy(estimator, X, y):
    return accuracy_score(y, estimator.predict(X))


CASES = [
    DemoCase(
        "SVC", "spam e-mails, linear C=0.1 (ex6)", "test accuracy",
        _spam, lambda: SVC(kernel="linear", C=0.1), _accuracy,
        lambda: sk_svm.SVC(kernel="linear", C=0.1), "sklearn SVC (libsvm)",
        compiled=True,
    ),
    DemoCase(
        "SVC", "ex6data2, Gaussian sigma=0.1", "train accuracy",
        _ex6data2, lambda: SVC(**_EX6DATA2), _accuracy,
        lambda: sk_svm.SVC(**_EX6DATA2), "sklearn SVC (libsvm)",
        compiled=True,
    ),
    DemoCase(
        "LinearSVC", "SMS spam, TF-IDF", "test accuracy",
        _sms_tfidf, lambda: LinearSVC(random_state=0), _accuracy,
        lambda: sk_svm.LinearSVC(random_state=0), "sklearn LinearSVC",
        compiled=True,
    ),
]
