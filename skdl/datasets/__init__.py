"""Real data sets bundled with skdl, loaded in scikit-learn's style (see ``data/README.md``)."""

from ._course import (
    load_bird_image,
    load_course_network_weights,
    load_email_vocabulary,
    load_exam_admissions,
    load_food_truck,
    load_house_prices,
    load_kmeans_points,
    load_microchips,
    load_pca_points,
    load_sample_emails,
    load_server_metrics,
    load_spam_emails,
    load_svm_points,
    load_water_outflow,
)
from ._ratings import load_movie_factors, load_movielens, load_sms_spam

__all__ = [
    "load_bird_image",
    "load_course_network_weights",
    "load_email_vocabulary",
    "load_exam_admissions",
    "load_food_truck",
    "load_house_prices",
    "load_kmeans_points",
    "load_microchips",
    "load_movie_factors",
    "load_movielens",
    "load_pca_points",
    "load_sample_emails",
    "load_server_metrics",
    "load_sms_spam",
    "load_spam_emails",
    "load_svm_points",
    "load_water_outflow",
]
