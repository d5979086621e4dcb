"""The demo behind ``python -m skdl``: every estimator fitted on bundled real data beside its peer.

Each module of this package defines ``CASES``, a list of :class:`DemoCase`; the runner finds them
all, so a new estimator joins the demo by adding a module here (or a case to a module)::

    # skdl/_demo/svm.py
    from sklearn import svm as sk_svm
    from sklearn.metrics import accuracy_score

    from ..svm import SVC
    from ._runner import DemoCase

    CASES = [
        DemoCase(
            "SVC", "spam e-mails (ex6)", "test accuracy",       # estimator, data set, metric
            load_spam,                                          # () -> X_train, y_train, X_test, y_test
            lambda: SVC(C=0.1, kernel="linear"),                # skdl's estimator, unfitted
            lambda est, X, y: accuracy_score(y, est.predict(X)),
            lambda: sk_svm.SVC(C=0.1, kernel="linear"), "sklearn SVC",   # the peer and its name
        ),
    ]

Set ``compare_times=False`` where the peer does another job (its score is then a reference
only), ``requires="skorch"`` for a row that needs an optional package, and ``make_ours_quick`` /
``make_peer_quick`` / ``quick_dataset`` for a lighter fit under ``--quick``.
"""

from ._runner import DemoCase, collect_cases, main, run_case

__all__ = ["DemoCase", "collect_cases", "main", "run_case"]
