"""
==========================================
A spam filter from raw e-mails with an SVM
==========================================

The last part of the course's exercise 6. Each e-mail goes through the
course's preprocessing (:func:`~skdl.feature_extraction.process_email`:
lower case, HTML stripped, numbers, URLs, e-mail addresses and dollar signs
replaced by ``number``, ``httpaddr``, ``emailaddr``, ``dollar``, words reduced
to their Porter stems), and becomes 1,899 indicators: which words of the
course's vocabulary it contains
(:class:`~skdl.feature_extraction.EmailVectorizer`).

The course ships its 4,000 training e-mails already as those indicators
(``spamTrain.mat``, :func:`~skdl.datasets.load_spam_emails`), so the linear
SVM (:math:`C = 0.1`) is trained on them, and the pipeline then classifies raw
text.
"""

# %%
# The course's processing of emailSample1.txt
# -------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from skdl.datasets import load_email_vocabulary, load_sample_emails, load_spam_emails
from skdl.feature_extraction import EmailVectorizer, process_email
from skdl.svm import SVC

emails = load_sample_emails()
words = process_email(emails.data[0])
print(" ".join(words))
index = {word: column for column, word in enumerate(load_email_vocabulary())}
print("word indices (from 1, as the course):", [index[w] + 1 for w in words if w in index][:12], "...")
features = EmailVectorizer().transform(emails.data[:1])
print(f"{features.shape[1]} features, {features.nnz} non-zero (the course: 1899 and 45)")

# %%
# Training on spamTrain, testing on spamTest
# ------------------------------------------
X, y = load_spam_emails(return_X_y=True)
X_test, y_test = load_spam_emails(subset="test", return_X_y=True)
spam_filter = make_pipeline(EmailVectorizer(), SVC(kernel="linear", C=0.1))
svm = spam_filter[-1].fit(X, y)  # spamTrain.mat holds the vectoriser's output
print(f"training accuracy {svm.score(X, y):.3%} (the course: 99.825%)")
print(f"test accuracy     {svm.score(X_test, y_test):.1%} (the course: 98.9%)")

# %%
# The four sample e-mails, from raw text
# --------------------------------------
for name, label in zip(emails.filenames, spam_filter.predict(emails.data)):
    print(f"{name:<18} {'spam' if label else 'not spam'}")

# %%
# Top predictors of spam
# ----------------------
# The weights :math:`w = \sum_s \alpha_s y_s x_s` of the linear SVM, one per
# vocabulary word: the largest are the words that push an e-mail towards spam.
weights = svm.coef_.ravel()
names = spam_filter[0].get_feature_names_out()
top = np.argsort(-weights)[:15]
for j in top:
    print(f"{names[j]:<10} {weights[j]:.6f}")

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.barh(range(len(top))[::-1], weights[top], color="tab:red")
ax.set_yticks(range(len(top))[::-1], names[top])
ax.set_xlabel("weight in the linear SVM")
ax.set_title("Top predictors of spam (course exercise 6)")
fig.tight_layout()
plt.show()
