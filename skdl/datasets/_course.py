"""Loaders for the data sets of the programming exercises of Andrew Ng's Machine Learning course."""

import numpy as np
from sklearn.utils import Bunch

from ._base import data_path, load_csv, load_descr, load_mat, split_bunch, supervised_bunch


def _csv_loader(file_name, feature_names, target_name, descr, return_X_y, as_frame, **extra):
    table = load_csv(file_name)
    target = table[:, -1]
    if "target_names" in extra:
        # A classification set: integer labels, as scikit-learn's loaders give.
        target = target.astype(np.int64)
    return supervised_bunch(
        table[:, :-1],
        target,
        feature_names=feature_names,
        target_name=target_name,
        descr=load_descr(descr),
        return_X_y=return_X_y,
        as_frame=as_frame,
        **extra,
    )


def load_food_truck(*, return_X_y=False, as_frame=False):
    """Load the food-truck profits of course exercise 1 (``ex1data1.txt``), a regression set.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the data as a pandas DataFrame and the target as a Series.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (97, 1) city population in 10,000s, ``target`` (97,) profit in $10,000s,
        ``feature_names``, ``frame``, ``DESCR``.

    Examples
    --------
    >>> from skdl.datasets import load_food_truck
    >>> X, y = load_food_truck(return_X_y=True)
    >>> X.shape, y.shape
    ((97, 1), (97,))
    """
    return _csv_loader(
        "ex1data1.txt", ["population"], "profit", "food_truck", return_X_y, as_frame
    )


def load_house_prices(*, return_X_y=False, as_frame=False):
    """Load the Portland house prices of course exercise 1 (``ex1data2.txt``), a regression set.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the data as a pandas DataFrame and the target as a Series.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (47, 2) size in square feet and bedrooms, ``target`` (47,) price in dollars.

    Examples
    --------
    >>> from skdl.datasets import load_house_prices
    >>> load_house_prices().feature_names
    ['size_sqft', 'bedrooms']
    """
    return _csv_loader(
        "ex1data2.txt", ["size_sqft", "bedrooms"], "price", "house_prices", return_X_y, as_frame
    )


def load_exam_admissions(*, return_X_y=False, as_frame=False):
    """Load the university admissions of course exercise 2 (``ex2data1.txt``), a binary set.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the data as a pandas DataFrame and the target as a Series.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (100, 2) two exam scores, ``target`` (100,) 1 = admitted.

    Examples
    --------
    >>> from skdl.datasets import load_exam_admissions
    >>> X, y = load_exam_admissions(return_X_y=True)
    >>> int(y.sum())
    60
    """
    return _csv_loader(
        "ex2data1.txt",
        ["exam1_score", "exam2_score"],
        "admitted",
        "exam_admissions",
        return_X_y,
        as_frame,
        target_names=["rejected", "admitted"],
    )


def load_microchips(*, return_X_y=False, as_frame=False):
    """Load the microchip tests of course exercise 2 (``ex2data2.txt``), a binary set.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the data as a pandas DataFrame and the target as a Series.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (118, 2) two test results, ``target`` (118,) 1 = accepted.

    Examples
    --------
    >>> from skdl.datasets import load_microchips
    >>> load_microchips().data.shape
    (118, 2)
    """
    return _csv_loader(
        "ex2data2.txt",
        ["test1", "test2"],
        "accepted",
        "microchips",
        return_X_y,
        as_frame,
        target_names=["rejected", "accepted"],
    )


def load_spam_emails(*, subset="train", return_X_y=False, as_frame=False):
    """Load the course's SpamAssassin e-mails as 1899 word indicators (exercise 6).

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        ``"train"`` is ``spamTrain.mat`` (4000 e-mails), ``"test"`` is ``spamTest.mat`` (1000).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the data as a pandas DataFrame with one float64 column per vocabulary word and
        the target as an int64 Series ``spam``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n, 1899) float64 0/1, ``target`` (n,) int64 with 1 = spam, ``feature_names``
        the vocabulary, ``target_names`` ``['ham', 'spam']``, ``frame``, ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True
        The arrays (or DataFrame and Series) above.

    See Also
    --------
    load_sms_spam : Raw text messages labelled spam or ham.

    Examples
    --------
    >>> from skdl.datasets import load_spam_emails
    >>> X, y = load_spam_emails(subset="test", return_X_y=True)
    >>> X.shape
    (1000, 1899)
    """
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test', got {subset!r}.")
    if subset == "train":
        content = load_mat("spamTrain.mat")
        X, y = content["X"], content["y"]
    else:
        content = load_mat("spamTest.mat")
        X, y = content["Xtest"], content["ytest"]
    return supervised_bunch(
        X.astype(np.float64),
        y.ravel().astype(np.int64),
        feature_names=load_email_vocabulary(),
        target_name="spam",
        descr=load_descr("spam_emails"),
        return_X_y=return_X_y,
        as_frame=as_frame,
        target_names=["ham", "spam"],
    )


def load_email_vocabulary():
    """Load the course's 1899-word vocabulary of stemmed words (``vocab.txt``, exercise 6).

    Word ``j`` (0-based) is feature ``j`` of :func:`load_spam_emails` and of
    :class:`~skdl.feature_extraction.EmailVectorizer`; the course numbers them from 1.

    Returns
    -------
    vocabulary : list of str
        The 1899 words, in the order of the course's indices.

    Examples
    --------
    >>> from skdl.datasets import load_email_vocabulary
    >>> vocabulary = load_email_vocabulary()
    >>> len(vocabulary), vocabulary[:3]
    (1899, ['aa', 'ab', 'abil'])
    """
    lines = data_path("vocab.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[1].strip() for line in lines if line.strip()]


_SAMPLE_EMAILS = [("emailSample1.txt", 0), ("emailSample2.txt", 0), ("spamSample1.txt", 1), ("spamSample2.txt", 1)]


def load_sample_emails(*, return_X_y=False, as_frame=False):
    """Load the four raw e-mails of the course's spam exercise (exercise 6).

    Two ordinary e-mails (``emailSample1.txt``, ``emailSample2.txt``) and two spams
    (``spamSample1.txt``, ``spamSample2.txt``), as text, for
    :class:`~skdl.feature_extraction.EmailVectorizer`.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return the e-mails as a DataFrame with one column ``text`` (pandas' string dtype) and the
        target as a Series ``spam``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (4,) object array of e-mails, ``target`` (4,) int64 with 1 = spam (from the file
        names), ``target_names`` ``['ham', 'spam']``, ``filenames``, ``frame``, ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True
        The texts and labels above.

    Examples
    --------
    >>> from skdl.datasets import load_sample_emails
    >>> emails = load_sample_emails()
    >>> emails.filenames[0], emails.target.tolist()
    ('emailSample1.txt', [0, 0, 1, 1])
    >>> emails.data[0].split()[:5]
    ['>', 'Anyone', 'knows', 'how', 'much']
    """
    texts = np.array([data_path(name).read_text(encoding="latin-1") for name, _ in _SAMPLE_EMAILS], dtype=object)
    target = np.array([label for _, label in _SAMPLE_EMAILS], dtype=np.int64)
    return supervised_bunch(
        texts, target, feature_names=["text"], target_name="spam", target_names=["ham", "spam"],
        filenames=[name for name, _ in _SAMPLE_EMAILS], descr=load_descr("sample_emails"),
        return_X_y=return_X_y, as_frame=as_frame,
    )


def load_svm_points(which=1, *, subset="train", return_X_y=False, as_frame=False):
    """Load a two-dimensional set of the course's support-vector-machine exercise (exercise 6).

    Parameters
    ----------
    which : {1, 2, 3}, default=1
        ``1`` is ``ex6data1.mat`` (51 points, linearly separable but for one outlier), ``2``
        ``ex6data2.mat`` (863 points, a non-linear boundary for the Gaussian kernel), ``3``
        ``ex6data3.mat`` (211 training and 200 validation points, for choosing C and sigma).
    subset : {"train", "val"}, default="train"
        The split that ``data``, ``target`` and ``return_X_y`` give; ``"val"`` exists for
        ``which=3`` only. The Bunch holds every split either way.
    return_X_y : bool, default=False
        Return ``(data, target)`` of ``subset`` instead of a Bunch.
    as_frame : bool, default=False
        Give every split as a DataFrame (columns ``x1``, ``x2``) and a Series ``y``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n, 2) float64 and ``target`` (n,) int64 0/1 of ``subset``; ``X``, ``y`` (and
        ``X_val``, ``y_val`` for set 3), the course's names of the splits; ``feature_names``,
        ``frame``, ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True
        The split named by ``subset``.

    Examples
    --------
    >>> from skdl.datasets import load_svm_points
    >>> X, y = load_svm_points(3, return_X_y=True)
    >>> X_val, y_val = load_svm_points(3, subset="val", return_X_y=True)
    >>> X.shape, X_val.shape
    ((211, 2), (200, 2))
    """
    if which not in (1, 2, 3):
        raise ValueError(f"which must be 1, 2 or 3, got {which!r}.")
    content = load_mat(f"ex6data{which}.mat")
    splits = {"train": (content["X"].astype(np.float64), content["y"].ravel().astype(np.int64))}
    if which == 3:
        splits["val"] = (content["Xval"].astype(np.float64), content["yval"].ravel().astype(np.int64))
    return split_bunch(
        splits,
        subset,
        feature_names=["x1", "x2"],
        target_name="y",
        descr=load_descr("svm_points"),
        return_X_y=return_X_y,
        as_frame=as_frame,
        target_names=["negative", "positive"],
    )


def load_water_outflow(*, subset="train", return_X_y=False, as_frame=False):
    """Load the dam data of course exercise 5 (``ex5data1.mat``) with its three splits.

    Parameters
    ----------
    subset : {"train", "val", "test"}, default="train"
        The split that ``data``, ``target`` and ``return_X_y`` give: the course's 12 training
        rows, 21 cross-validation rows or 21 test rows. The Bunch holds all three either way.
    return_X_y : bool, default=False
        Return ``(data, target)`` of ``subset`` instead of a Bunch.
    as_frame : bool, default=False
        Give every split as a DataFrame (column ``water_level_change``) and a Series
        ``outflow``, all float64.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n, 1) water-level change and ``target`` (n,) outflow of ``subset``; ``X``,
        ``y`` (12 training rows), ``X_val``, ``y_val`` (21), ``X_test``, ``y_test`` (21), the
        course's names of the three splits; ``feature_names``, ``frame``, ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True
        The split named by ``subset``.

    See Also
    --------
    sklearn.model_selection.learning_curve : The exercise's learning curves, fitted on these splits.

    Examples
    --------
    >>> from skdl.datasets import load_water_outflow
    >>> data = load_water_outflow()
    >>> data.X.shape, data.X_val.shape, data.X_test.shape
    ((12, 1), (21, 1), (21, 1))
    >>> X_val, y_val = load_water_outflow(subset="val", return_X_y=True)
    >>> X_val.shape, y_val.shape
    ((21, 1), (21,))
    """
    content = load_mat("ex5data1.mat")
    splits = {
        "train": (content["X"], content["y"].ravel()),
        "val": (content["Xval"], content["yval"].ravel()),
        "test": (content["Xtest"], content["ytest"].ravel()),
    }
    return split_bunch(
        splits,
        subset,
        feature_names=["water_level_change"],
        target_name="outflow",
        descr=load_descr("water_outflow"),
        return_X_y=return_X_y,
        as_frame=as_frame,
    )


def load_pca_points():
    """Load the 50 two-dimensional points of the course's PCA exercise (``ex7data1.mat``).

    Returns
    -------
    X : ndarray of shape (50, 2)
        The points, float64, which the exercise normalises and projects onto one component.

    See Also
    --------
    skdl.decomposition.PCA : The course's PCA.

    Examples
    --------
    >>> from skdl.datasets import load_pca_points
    >>> load_pca_points().shape
    (50, 2)
    """
    return load_mat("ex7data1.mat")["X"]


def load_kmeans_points():
    """Load the 300 two-dimensional points of the course's K-means exercise (``ex7data2.mat``).

    Returns
    -------
    X : ndarray of shape (300, 2)
        The points, float64, in three clusters.

    See Also
    --------
    skdl.cluster.KMeans : The course's K-means.

    Examples
    --------
    >>> from skdl.datasets import load_kmeans_points
    >>> load_kmeans_points().shape
    (300, 2)
    """
    return load_mat("ex7data2.mat")["X"]


def load_bird_image():
    """Load the 128 x 128 RGB bird image of the course's K-means compression exercise.

    Returns
    -------
    image : ndarray of shape (128, 128, 3), dtype uint8
        The RGB pixels, 0-255; ``image.reshape(-1, 3) / 255`` is the exercise's data.

    See Also
    --------
    skdl.cluster.KMeans : Compresses the image to 16 colours in the exercise.

    Examples
    --------
    >>> from skdl.datasets import load_bird_image
    >>> image = load_bird_image()
    >>> image.shape, image.dtype
    ((128, 128, 3), dtype('uint8'))
    """
    return load_mat("bird_small.mat")["A"]


def load_server_metrics(which=1, *, subset="train", return_X_y=False, as_frame=False):
    """Load a server-metrics set of the course's anomaly-detection exercise (exercise 8).

    Each set has an unlabelled training split, on which the course fits the density, and a
    labelled validation split, on which it chooses the threshold.

    Parameters
    ----------
    which : {1, 2}, default=1
        ``1`` is ``ex8data1.mat`` (307 servers, latency in ms and throughput in mb/s), ``2`` is
        ``ex8data2.mat`` (1000 servers, 11 metrics).
    subset : {"train", "val"}, default="train"
        The split that ``data``, ``target`` and ``return_X_y`` give. The training split has no
        labels, so its ``target`` is None (``fit(*load_server_metrics(return_X_y=True))`` fits
        without labels); the validation split is labelled 1 = anomalous, 0 = normal.
    return_X_y : bool, default=False
        Return ``(data, target)`` of ``subset`` instead of a Bunch.
    as_frame : bool, default=False
        Give the splits as float64 DataFrames and the labels as an int64 Series ``anomalous``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` and ``target`` of ``subset``; ``X`` (the unlabelled training rows), ``X_val``
        and ``y_val`` (int64, 1 = anomalous), the course's names; ``feature_names``, ``frame``,
        ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True
        The split named by ``subset``; ``target`` is None for ``"train"``.

    See Also
    --------
    skdl.anomaly.GaussianAnomalyDetector : The course's detector, fitted on these metrics.

    Examples
    --------
    >>> from skdl.datasets import load_server_metrics
    >>> data = load_server_metrics(2)
    >>> data.X.shape, data.X_val.shape
    ((1000, 11), (100, 11))
    >>> X_val, y_val = load_server_metrics(1, subset="val", return_X_y=True)
    >>> int(y_val.sum())
    9
    """
    if which not in (1, 2):
        raise ValueError(f"which must be 1 or 2, got {which!r}.")
    content = load_mat(f"ex8data{which}.mat")
    n_features = content["X"].shape[1]
    if which == 1:
        feature_names = ["latency_ms", "throughput_mb_s"]
    else:
        feature_names = [f"metric_{index}" for index in range(n_features)]
    splits = {
        "train": (content["X"], None),
        "val": (content["Xval"], content["yval"].ravel().astype(np.int64)),
    }
    return split_bunch(
        splits,
        subset,
        feature_names=feature_names,
        target_name="anomalous",
        descr=load_descr("server_metrics"),
        return_X_y=return_X_y,
        as_frame=as_frame,
        target_names=["normal", "anomalous"],
    )


def load_course_network_weights():
    """Load the course's trained 400-25-10 network weights (``ex4weights.mat``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``Theta1`` (25, 401) and ``Theta2`` (10, 26); column 0 of each holds the bias weights.

    Examples
    --------
    >>> from skdl.datasets import load_course_network_weights
    >>> weights = load_course_network_weights()
    >>> weights.Theta1.shape, weights.Theta2.shape
    ((25, 401), (10, 26))
    """
    content = load_mat("ex4weights.mat")
    return Bunch(
        Theta1=content["Theta1"],
        Theta2=content["Theta2"],
        DESCR=load_descr("course_network_weights"),
    )
