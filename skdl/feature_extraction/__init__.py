"""Feature extraction from raw data: the course's e-mail preprocessing for the spam filter."""

from ._email import EmailVectorizer, process_email

__all__ = ["EmailVectorizer", "process_email"]
