"""Choose the intent classifier's settings by cross-validation on the training data only.

The held-out set (tests/nlu/) is the final check and is never used here. The features are those
of config.yml's two CountVectorsFeaturizers, rebuilt with scikit-learn so a grid runs in minutes
instead of one Rasa training per fold: a bag of lemmas (the spaCy pipeline in var/spacy-nl) and
character n-grams 2-5 within word boundaries. Regex features are left out (they mark entities,
not intents). Each row: mean accuracy over stratified folds.

Usage: python scripts/intent_classifier_cv.py [--folds 5] [--nlu data/nlu]

Measured 2026-12-01 (2-core machine, 5 folds, the training data before the social-domain
additions): raw counts C=1 (Rasa's LogisticRegressionClassifier) 0.792, raw C=5 0.797,
TF-IDF C=1 0.743, C=5 0.804, C=10 0.807, C=20 0.812, C=50 0.813, TF-IDF sublinear C=20
0.814 -> config.yml uses TF-IDF with C=20
(components/intent_classifier.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from rasa.shared.nlu.training_data.loading import load_data
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
GRID = (
    {"C": 1.0, "tfidf": False},
    {"C": 5.0, "tfidf": False},
    {"C": 1.0, "tfidf": True},
    {"C": 5.0, "tfidf": True},
    {"C": 10.0, "tfidf": True},
    {"C": 20.0, "tfidf": True},
    {"C": 50.0, "tfidf": True},
    {"C": 20.0, "tfidf": True, "sublinear": True},
    {"C": 20.0, "tfidf": True, "word_ngrams": 2},
)


def examples(directory: Path) -> tuple[list[str], list[str]]:
    """Texts and intents of the NLU examples under ``directory``."""
    data = load_data(str(directory))
    found = [e for e in data.intent_examples if e.get("intent") and e.get("text")]
    return [e.get("text") for e in found], [e.get("intent") for e in found]


def lemmatise(texts: list[str]) -> list[str]:
    """The lemma string of each text, as SpacyTokenizer gives CountVectorsFeaturizer."""
    import spacy

    nlp = spacy.load(ROOT / "var/spacy-nl")
    return [" ".join(t.lemma_ or t.text for t in nlp(text.lower())) for text in texts]


def fold_accuracy(
    texts, lemmas, intents, train, test, C: float, tfidf: bool, sublinear=False, word_ngrams=1
):
    """Accuracy of one setting on one fold."""
    words = CountVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, word_ngrams))
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))
    lower = np.array([t.lower() for t in texts], dtype=object)
    X_train = hstack([words.fit_transform(lemmas[train]), chars.fit_transform(lower[train])]).tocsr()
    X_test = hstack([words.transform(lemmas[test]), chars.transform(lower[test])]).tocsr()
    if tfidf:
        weighting = TfidfTransformer(sublinear_tf=sublinear)
        X_train = weighting.fit_transform(X_train)
        X_test = weighting.transform(X_test)
    model = LogisticRegression(C=C, max_iter=1000, class_weight="balanced", random_state=42)
    model.fit(X_train, intents[train])
    return float(np.mean(model.predict(X_test) == intents[test]))


def main() -> None:
    """Print the cross-validated accuracy of every setting in the grid."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--nlu", type=Path, default=ROOT / "data/nlu")
    args = parser.parse_args()
    texts, intents = examples(args.nlu)
    lemmas = np.array(lemmatise(texts), dtype=object)
    labels = np.array(intents)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(lemmas, labels))
    print(f"{len(texts)} training lines, {args.folds} folds")
    for setting in GRID:
        scores = [fold_accuracy(texts, lemmas, labels, tr, te, **setting) for tr, te in folds]
        print(f"{setting}: {np.mean(scores):.3f}", flush=True)


if __name__ == "__main__":
    main()
