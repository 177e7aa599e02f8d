"""The scikit-learn building blocks: routing features and classifier, urgency pipeline, and
the two reference baselines of the shared data README (kept here so every comparison
measures them in the same run, on the same folds)."""
from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline, make_union
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from classifier.text import normalise, normalise_all

# Character n-grams are read from the start of the text only: they matter for short texts
# and inflected words, and on long letters they would cost most of the training time.
CHAR_NGRAM_PREFIX = 1000


def opening(text: str) -> str:
    """The first CHAR_NGRAM_PREFIX characters of an already normalised text."""
    return text[:CHAR_NGRAM_PREFIX]


def make_routing_features() -> Pipeline:
    """Normalise once, then word 1-2 grams for topic words and char 2-5 grams inside word
    boundaries for inflection, spelling variants and short texts. Sublinear tf keeps long
    letters from drowning short ones; min_df drops one-off character n-grams."""
    return Pipeline(
        [
            ("normalise", FunctionTransformer(normalise_all)),
            (
                "union",
                FeatureUnion(
                    [
                        ("words", TfidfVectorizer(lowercase=False, ngram_range=(1, 2), sublinear_tf=True)),
                        (
                            "chars",
                            TfidfVectorizer(
                                lowercase=False, preprocessor=opening, analyzer="char_wb", ngram_range=(2, 5),
                                min_df=2, sublinear_tf=True,
                            ),
                        ),
                    ],
                    # Character evidence counts double: it carries short texts and Arabic.
                    transformer_weights={"words": 1.0, "chars": 2.0},
                ),
            ),
        ]
    )


def make_routing_classifier(C: float = 1.0) -> LinearSVC:
    """A linear SVM with balanced class weights: small ministries count as much as big ones."""
    return LinearSVC(C=C, class_weight="balanced", random_state=0)


def make_urgency_pipeline() -> Pipeline:
    """Urgency level from words of the text; balanced so the rare level is not ignored."""
    return make_pipeline(
        TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000),
    )


def make_plain_baseline() -> Pipeline:
    """Shared README baseline 1: TF-IDF word 1-2 g + LogisticRegression()."""
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=2000))


def make_strong_baseline() -> Pipeline:
    """Shared README baseline 2: word 1-2 g + char_wb 2-5 g, LogisticRegression(C=10, balanced)."""
    return make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LogisticRegression(C=10, class_weight="balanced", max_iter=2000),
    )
