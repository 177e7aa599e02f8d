"""TriageModel: routes a text to a department with a calibrated confidence, says why, decides
whether it may skip manual triage, and ranks its urgency."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from classifier.calibration import (
    calibrated_probabilities,
    choose_threshold,
    expected_calibration_error,
    fit_temperature,
)
from classifier.dataset import URGENCY_LEVELS, group_key, grouped_folds
from classifier.language import detect_language
from classifier.pipelines import CHAR_NGRAM_PREFIX, RoutingFeatures, make_routing_classifier, make_urgency_pipeline
from classifier.text import FUNCTION_WORDS, normalise, words
from classifier.urgency_rules import LEVEL_RANK, LEVEL_SCORES, assess_urgency

# Score given to a class a cross-validation fold never saw: far below any real SVM margin.
_UNSEEN_CLASS_SCORE = -10.0
_MIN_ROWS_FOR_LANGUAGE_THRESHOLD = 50
# Median length (characters) below which a training set counts as short texts (see _regularisation).
_SHORT_TEXT_CHARS = 200
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class Prediction:
    """Everything the intake and the officer queue need about one text."""

    department: str | None
    confidence: float
    auto_routed: bool
    top3: list[tuple[str, float]]
    reasons: list[str]
    urgency: str
    urgency_score: float
    urgency_source: str
    urgency_reasons: list[str]
    language: str | None
    triage_reason: str | None

    def to_dict(self) -> dict:
        """Plain JSON-able form (top3 as a list of {department, probability})."""
        data = asdict(self)
        data["top3"] = [{"department": label, "probability": p} for label, p in self.top3]
        return data


class TriageModel(BaseEstimator):
    """Department router plus urgency ranker, following scikit-learn's estimator conventions.

    Parameters
    ----------
    C: regularisation of the linear SVM (smaller = smoother), or "auto" to choose it from the
        training texts' length (`C_`, see `_regularisation`).
    cv: folds (grouped by normalised text) for the out-of-fold scores that calibrate the
        confidence and choose the auto-route threshold.
    target_accuracy: auto-routed cases must be right this often on out-of-fold predictions.
    min_words: texts with fewer words go to manual triage as 'too_short'.
    min_vocabulary_coverage: share of a text's words the model must know when language
        detection is unsure; below it: 'unsupported_language'. A language detected with
        confidence but absent from training is always 'unsupported_language'.
    min_urgency_examples: an urgency level needs this many labelled rows to be learned.
    urgency_min_similarity: cosine similarity to a labelled row needed to trust the learned
        urgency for a text; otherwise the keyword rules decide.
    n_jobs: threads fitting the cross-validation folds (-1: all cores).
    """

    def __init__(
        self,
        C: float | str = "auto",
        cv: int = 3,
        target_accuracy: float = 0.95,
        min_words: int = 2,
        min_vocabulary_coverage: float = 0.5,
        min_urgency_examples: int = 10,
        urgency_min_similarity: float = 0.5,
        n_jobs: int | None = -1,
    ):
        self.C = C
        self.cv = cv
        self.target_accuracy = target_accuracy
        self.min_words = min_words
        self.min_vocabulary_coverage = min_vocabulary_coverage
        self.min_urgency_examples = min_urgency_examples
        self.urgency_min_similarity = urgency_min_similarity
        self.n_jobs = n_jobs

    # ----------------------------------------------------------------- fitting
    def fit(self, texts, departments, urgencies=None, languages=None) -> "TriageModel":
        """Learn routing, calibration, the auto-route threshold and (where labels exist) urgency."""
        texts = [str(text) for text in texts]
        y = np.asarray(list(departments), dtype=object)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} departments")
        self.classes_ = np.array(sorted(set(y)), dtype=object)
        if len(self.classes_) < 2:
            raise ValueError("at least two departments are needed")
        groups = [group_key(text) for text in texts]
        if len(set(groups)) < 2:
            raise ValueError("at least two distinct texts are needed")

        if languages is None or any(code is None for code in languages):
            languages = [
                code or detect_language(text[:300]).code
                for text, code in zip(texts, [None] * len(texts) if languages is None else list(languages))
            ]
        languages = np.asarray(languages, dtype=object)
        self.languages_ = sorted({code for code in languages if code})

        self.features_ = RoutingFeatures()
        *counts, vectorisers = self.features_.count(texts)
        true_columns = np.searchsorted(self.classes_, y)
        folds = grouped_folds(groups, self.cv)

        self.C_ = self._regularisation(texts)

        def fold_scores(train, test):
            X_fold = self.features_.fold_matrix(counts, train)
            return self._scores(make_routing_classifier(self.C_).fit(X_fold[train], y[train]), X_fold[test])

        def fit_final():
            return make_routing_classifier(self.C_).fit(self.features_.fit_from_counts(counts, vectorisers), y)

        # liblinear and most sparse algebra release the GIL: threads run the folds and the
        # final model side by side without copying the counts.
        *fold_results, self.classifier_ = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            [delayed(fold_scores)(train, test) for train, test in folds] + [delayed(fit_final)()]
        )
        out_of_fold = np.zeros((len(texts), len(self.classes_)))
        for scores, (_, test) in zip(fold_results, folds):
            out_of_fold[test] = scores
        self.temperature_ = fit_temperature(out_of_fold, true_columns)
        probabilities = calibrated_probabilities(out_of_fold, self.temperature_)
        confidence = probabilities.max(axis=1)
        correct = probabilities.argmax(axis=1) == true_columns
        self.threshold_ = choose_threshold(confidence, correct, self.target_accuracy)
        # Easy languages would otherwise lower the bar for hard ones: each language with
        # enough rows gets its own threshold, so the accuracy target holds per language.
        self.thresholds_ = {
            code: choose_threshold(confidence[languages == code], correct[languages == code], self.target_accuracy)
            for code in self.languages_
            if (languages == code).sum() >= _MIN_ROWS_FOR_LANGUAGE_THRESHOLD
        }
        routed = confidence >= np.array([self.thresholds_.get(code, self.threshold_) for code in languages])
        self.out_of_fold_ = {
            "rows": len(texts),
            "accuracy": float(correct.mean()),
            "expected_calibration_error": expected_calibration_error(confidence, correct),
            "auto_route_share": float(routed.mean()),
            "auto_route_accuracy": float(correct[routed].mean()) if routed.any() else None,
        }
        self.__dict__.pop("_word_names", None)  # explanation cache of a previous fit
        self._fit_urgency(texts, urgencies)
        return self

    def _fit_urgency(self, texts: list[str], urgencies) -> None:
        self.urgency_counts_ = {}
        self.urgency_model_ = None
        self.urgency_support_ = None
        if urgencies is None:
            return
        labelled = [(text, level) for text, level in zip(texts, urgencies) if level in URGENCY_LEVELS]
        self.urgency_counts_ = dict(Counter(level for _, level in labelled))
        learnable = {level for level, n in self.urgency_counts_.items() if n >= self.min_urgency_examples}
        if len(learnable) < 2:
            return
        rows = [(text, level) for text, level in labelled if level in learnable]
        self.urgency_model_ = make_urgency_pipeline().fit([t for t, _ in rows], [u for _, u in rows])
        distinct = sorted({group_key(text) for text, _ in rows})
        self.urgency_support_ = self.urgency_model_[0].transform(distinct)

    def _scores(self, classifier, X) -> np.ndarray:
        """Decision scores aligned on self.classes_, whatever subset the classifier was fitted on."""
        raw = classifier.decision_function(X)
        if raw.ndim == 1:
            raw = np.column_stack([-raw, raw])
        scores = np.full((X.shape[0], len(self.classes_)), _UNSEEN_CLASS_SCORE)
        scores[:, np.searchsorted(self.classes_, classifier.classes_)] = raw
        return scores

    # -------------------------------------------------------------- predicting
    def predict_proba(self, texts) -> np.ndarray:
        """Calibrated probabilities, columns in the order of `classes_`."""
        check_is_fitted(self, "classifier_")
        X = self.features_.transform([str(text) for text in texts])
        return calibrated_probabilities(self._scores(self.classifier_, X), self.temperature_)

    def predict_departments(self, texts) -> list[str]:
        """Fast path: top-1 department only, no explanation, no triage decision."""
        check_is_fitted(self, "classifier_")
        return self.classes_[self._scores(self.classifier_, self.features_.transform([str(t) for t in texts])).argmax(axis=1)].tolist()

    def predict(self, texts) -> list[Prediction]:
        """Full predictions: department, confidence, triage decision, reasons and urgency."""
        check_is_fitted(self, "classifier_")
        with config_context(assume_finite=True, skip_parameter_validation=True):
            return self._predict(["" if text is None else str(text) for text in texts])

    def _predict(self, texts: list[str]) -> list[Prediction]:
        X = self.features_.transform(texts)
        probabilities = calibrated_probabilities(self._scores(self.classifier_, X), self.temperature_)
        urgencies = self._predict_urgency(texts)
        return [
            self._one_prediction(text, X[i], probabilities[i], urgencies[i]) for i, text in enumerate(texts)
        ]

    def _one_prediction(self, text: str, x, probabilities: np.ndarray, urgency: tuple) -> Prediction:
        tokens = words(text)
        guess = detect_language(text)
        triage_reason = None
        if len(tokens) < self.min_words:
            triage_reason = "too_short"
        elif guess.code is not None and guess.code not in self.languages_:
            triage_reason = "unsupported_language"
        elif guess.code is None and self._coverage(tokens) < self.min_vocabulary_coverage:
            # langid is unsure (short or mixed text): trust it only if the words are ones we know.
            triage_reason = "unsupported_language"
        if triage_reason is None:
            order = np.argsort(-probabilities)
            best = int(order[0])
            confidence = float(probabilities[best])
            department = str(self.classes_[best])
            top3 = [(str(self.classes_[k]), float(probabilities[k])) for k in order[:3]]
            reasons = self._reasons(text, x, best)
            if confidence < self.threshold_for(guess.code):
                triage_reason = "low_confidence"
        else:
            # The model has not read this text: no department and no confidence to show.
            department, confidence, top3, reasons = None, 0.0, [], []
        level, score, source, urgency_reasons = urgency
        return Prediction(
            department=department,
            confidence=confidence,
            auto_routed=triage_reason is None,
            top3=top3,
            reasons=reasons,
            urgency=level,
            urgency_score=score,
            urgency_source=source,
            urgency_reasons=urgency_reasons,
            language=guess.code,
            triage_reason=triage_reason,
        )

    def _regularisation(self, texts: list[str]) -> float:
        """C as given, or for "auto": 1.0 when most texts are short (few active features each,
        so they need a freer fit), 0.3 for letters, whose many features overfit at 1.0.
        Measured on the bundled files: NYC menu texts gain 0.06 macro-F1 at 1.0, French and
        Swahili letters lose 0.02."""
        if self.C != "auto":
            return float(self.C)
        return 1.0 if float(np.median([len(text) for text in texts])) < _SHORT_TEXT_CHARS else 0.3

    def threshold_for(self, language: str | None) -> float:
        """Auto-route threshold for a detected language (the overall one when it has none of its own)."""
        return self.thresholds_.get(language, self.threshold_)

    def _vectorisers(self):
        """(word, char) count vectorisers of the fitted features."""
        return self.features_.word_vectoriser_, self.features_.char_vectoriser_

    def _coverage(self, tokens: list[str]) -> float:
        vocabulary = self._vectorisers()[0].vocabulary_
        return sum(token in vocabulary for token in tokens) / len(tokens) if tokens else 0.0

    def _reasons(self, text: str, x, column: int, limit: int = 5) -> list[str]:
        """Words and phrases of the text whose features pushed most towards class `column`.

        Word n-grams count as themselves; each character n-gram's weight is shared among the
        words it occurs in, so the reasons are readable words rather than fragments.
        """
        word_vectoriser, char_vectoriser = self._vectorisers()
        n_word_features = len(word_vectoriser.vocabulary_)
        x = x.tocsr()
        weights = self.classifier_.coef_
        row = column if weights.shape[0] > 1 else 0
        sign = 1.0 if weights.shape[0] > 1 or column == 1 else -1.0
        contribution = dict(zip(x.indices, sign * x.data * weights[row, x.indices]))
        if not hasattr(self, "_word_names"):
            self._word_names = word_vectoriser.get_feature_names_out()
        evidence: dict[str, float] = defaultdict(float)
        for index, value in contribution.items():
            if index < n_word_features:
                evidence[self._word_names[index]] += value
        tokens = [_EDGE_PUNCTUATION.sub("", token) for token in normalise(text)[:CHAR_NGRAM_PREFIX].split()]
        grams_of = {}
        occurrences: Counter = Counter()
        for token in set(tokens):
            if not token:
                continue
            padded = f" {token} "
            grams = {
                char_vectoriser.vocabulary_.get(padded[i : i + n])
                for n in range(2, 6)
                for i in range(len(padded) - n + 1)
            } - {None}
            grams_of[token] = grams
            occurrences.update(grams)
        for token, grams in grams_of.items():
            evidence[token] += sum(
                contribution.get(n_word_features + g, 0.0) / occurrences[g] for g in grams
            )
        ranked = sorted(
            (
                (phrase, weight) for phrase, weight in evidence.items()
                if weight > 0 and not FUNCTION_WORDS.intersection(phrase.split())
            ),
            key=lambda item: -item[1],
        )
        return [phrase for phrase, _ in ranked[:limit]]

    def _predict_urgency(self, texts: list[str]) -> list[tuple[str, float, str, list[str]]]:
        """(level, score, source, reasons) per text: learned where similar labelled history exists,
        keyword rules otherwise; rules may raise a learned level but never pose as learned."""
        rules = [assess_urgency(text) for text in texts]
        if self.urgency_model_ is None:
            return [(r.level, r.score, "rules", r.reasons) for r in rules]
        vectoriser = self.urgency_model_[0]
        vectors = vectoriser.transform(texts)
        similarity = (vectors @ self.urgency_support_.T).max(axis=1).toarray().ravel()
        probabilities = self.urgency_model_[-1].predict_proba(vectors)
        levels = self.urgency_model_.classes_
        values = np.array([LEVEL_SCORES[level] for level in levels])
        results = []
        for i, rule in enumerate(rules):
            if similarity[i] < self.urgency_min_similarity:
                results.append((rule.level, rule.score, "rules", rule.reasons))
                continue
            level = str(levels[int(np.argmax(probabilities[i]))])
            score = float(probabilities[i] @ values)
            if LEVEL_RANK[rule.level] > LEVEL_RANK[level]:
                results.append(
                    (rule.level, max(rule.score, score), "rules",
                     rule.reasons + [f"raised from '{level}' given by the learned model"])
                )
                continue
            learned = sum(self.urgency_counts_.get(name, 0) for name in levels)
            results.append(
                (level, score, "model",
                 [f"learned from {learned} labelled past cases; closest is {similarity[i]:.0%} similar"])
            )
        return results
