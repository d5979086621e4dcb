"""
K-means on sparse text: the SMS Spam Collection as TF-IDF
=========================================================

K-means takes the TF-IDF matrix of the 5,574 messages as it is, a sparse CSR matrix of 8,713
columns that is never densified. Each cluster's centroid is a weighted vocabulary; its largest
weights name what the messages of the cluster talk about. Without seeing a label, one cluster
gathers most of the spam: the messages about prizes, calls and texts to reply to. The same
start given to scikit-learn's KMeans gives the same clusters and the same inertia.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from skdl.cluster import KMeans
from skdl.datasets import load_sms_spam

texts, is_spam = load_sms_spam(return_X_y=True)
vectorizer = TfidfVectorizer(sublinear_tf=True)
X = vectorizer.fit_transform(texts)
kmeans = KMeans(n_clusters=8, n_init=5, random_state=0).fit(X)

words = vectorizer.get_feature_names_out()
sizes = np.bincount(kmeans.labels_, minlength=8)
spam_share = np.bincount(kmeans.labels_, weights=is_spam, minlength=8) / sizes
for j in np.argsort(-spam_share):
    top = ", ".join(words[np.argsort(-kmeans.cluster_centers_[j])[:6]])
    print(f"cluster {j}: {sizes[j]:4d} messages, {spam_share[j]:5.1%} spam - {top}")

fig, ax = plt.subplots(figsize=(7, 3.5))
order = np.argsort(-spam_share)
ax.bar(range(8), spam_share[order], color="tab:red")
ax.set_xticks(range(8), [f"{j}\n({sizes[j]})" for j in order])
ax.set_xlabel("cluster (messages)")
ax.set_ylabel("share of spam")
ax.set_title("K-means on SMS TF-IDF: the spam gathers in a few clusters")
fig.tight_layout()
plt.show()
