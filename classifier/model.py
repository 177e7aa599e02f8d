"""TriageModel: routes a text to a department with a calibrated confidence, says why, decides
whether it may skip manual triage, and ranks its urgency."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np
from joblib import Parallel, delayed
from scipy.special import log_softmax
from sklearn import config_context
from sklearn.base import BaseEstimator, clone
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from classifier.calibration import calibrate, calibrated_probabilities, fit_temperature, mixed, neighbour_weight
from classifier.dataset import URGENCY_LEVELS, distinct_rows, group_key, grouped_folds
from classifier.evaluate import urgency_out_of_fold
from classifier.explain import explain
from classifier.language import LanguageGuess, detect_language
from classifier.neighbours import PastCases
from classifier.pipelines import Analysis, RoutingFeatures, make_routing_classifier
from classifier.text import without_marks
from classifier.urgency import Urgency, UrgencyExamples, UrgencyModel, rules_only, urgency_examples
from classifier.urgency_rules import assess_urgency

# liblinear's stopping tolerance for the cross-validation folds' SVMs (the final one keeps the default 1e-4). On the
# demo data a fold stops a third sooner, with the same top-1 for every held-out text and scores within 0.003: the
# folds only serve calibration and thresholds, and three fold assignments fit three times as many of them.
_FOLD_TOLERANCE = 1e-2
# Score given to a class a cross-validation fold never saw: far below any real SVM margin.
_UNSEEN_CLASS_SCORE = -10.0
# Median length (characters) below which a training set counts as short texts (see _regularisation).
_SHORT_TEXT_CHARS = 200
# Below this many words langid's "unsure" says nothing about the language (menu texts such as
# "FLOORING/STAIRS: FLOOR" get no language), so an unsure short text is not refused as a language
# the model cannot read: its words decide, as `unfamiliar_words` when most are unknown.
_LANGUAGE_UNSURE_WORDS = 8


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
    fold_assignments: how many ways the text groups are dealt into those folds; the auto-route
        threshold must hold on each (one lucky assignment does not lower it).
    target_accuracy: auto-routed cases must be right this often on out-of-fold predictions.
    min_words: texts with fewer words (function words not counted) go to manual triage as 'too_short'.
    min_vocabulary_coverage: share of a text's words the model must know when the detected
        language is not one it was trained on (or detection is unsure); below it:
        'unsupported_language'.
    min_urgency_examples: an urgency level needs this many labelled rows to be learned.
    urgency_min_similarity: cosine similarity to a labelled row needed to trust the learned
        urgency for a text; otherwise the keyword rules decide.
    neighbours: how many of the most similar training texts vote beside the SVM (0: none; see
        `classifier.neighbours`). How much their votes weigh is learned out of fold (`neighbour_weight_`).
    neighbour_power: a neighbour's vote is its similarity to this power, so the closest count most.
    n_jobs: threads fitting the cross-validation folds (-1: all cores).
    """

    # Layout of the fitted state; the registry refuses artifacts of another format (retrain them).
    FORMAT = 5

    def __init__(
        self,
        C: float | str = "auto",
        cv: int = 3,
        fold_assignments: int = 3,
        target_accuracy: float = 0.95,
        min_words: int = 2,
        min_vocabulary_coverage: float = 0.5,
        min_urgency_examples: int = 10,
        urgency_min_similarity: float = 0.5,
        neighbours: int = 10,
        neighbour_power: float = 4.0,
        n_jobs: int | None = -1,
    ):
        self.C = C
        self.cv = cv
        self.fold_assignments = fold_assignments
        self.target_accuracy = target_accuracy
        self.min_words = min_words
        self.min_vocabulary_coverage = min_vocabulary_coverage
        self.min_urgency_examples = min_urgency_examples
        self.urgency_min_similarity = urgency_min_similarity
        self.neighbours = neighbours
        self.neighbour_power = neighbour_power
        self.n_jobs = n_jobs

    # ----------------------------------------------------------------- fitting
    def fit(self, texts, departments, urgencies=None, languages=None) -> TriageModel:
        """Learn routing, calibration, the auto-route threshold and (where labels exist) urgency."""
        all_texts = _readable(texts)
        y_all = np.asarray(list(departments), dtype=object)
        self.classes_, groups_all = _checked_training_set(all_texts, y_all)
        # Identical texts with the same department are learned once: a menu text filed 500
        # times should not outweigh 500 different letters, and training costs distinct texts
        # only. Calibration and thresholds count each as often as it occurs (`weights`), as
        # that is how often such cases arrive. Fitting them weighted by their count was tried
        # and dropped (docs/model-experiments.md): it won NYC's menu texts but sent the demo model's
        # English letters about burst pipes to the finance ministry.
        rows, weights = distinct_rows(zip(groups_all, y_all, strict=True))
        texts, y, groups = [all_texts[i] for i in rows], y_all[rows], [groups_all[i] for i in rows]
        languages = _training_languages(all_texts, rows, languages)
        self.languages_ = sorted({code for code in languages if code})
        self.C_ = self._regularisation(texts, weights)
        true_columns = np.searchsorted(self.classes_, y)

        self.features_ = RoutingFeatures()
        *counts, used = self.features_.count(texts)
        past_cases = PastCases(self.neighbours, self.neighbour_power) if self.neighbours > 0 else None
        phrasing = past_cases.count(texts) if past_cases else None
        features = self.features_.fit_from_counts(counts, used)
        assignments = [grouped_folds(groups, self.cv, seed) for seed in [None, *range(1, self.fold_assignments)]]
        scores, votes, self.classifier_ = self._fit_routing(
            counts, features, y, true_columns, assignments, past_cases, phrasing)
        self.past_cases_ = (past_cases.fit_from_counts(*phrasing, true_columns, len(self.classes_))
                            if past_cases else None)

        # Temperatures and the votes' weight read every assignment's out-of-fold scores as one set of rows.
        stacked_truth, stacked_weights = np.tile(true_columns, len(assignments)), np.tile(weights, len(assignments))
        stacked_scores = scores.reshape(-1, len(self.classes_))
        self.score_temperature_ = fit_temperature(stacked_scores, stacked_truth, stacked_weights)
        log_p = log_softmax(scores / self.score_temperature_, axis=-1)
        self.neighbour_weight_ = (neighbour_weight(log_p.reshape(stacked_scores.shape),
                                                   votes.reshape(stacked_scores.shape), stacked_truth, stacked_weights)
                                  if past_cases else 0.0)
        calibration = calibrate(mixed(log_p, votes, self.neighbour_weight_), true_columns, languages,
                                self.languages_, weights, self.target_accuracy)
        self.temperature_, self.temperatures_ = calibration.temperature, calibration.temperatures
        self.threshold_, self.thresholds_ = calibration.threshold, calibration.thresholds
        self.out_of_fold_ = {**calibration.out_of_fold, "neighbour_weight": self.neighbour_weight_}

        self.urgency_counts_, examples = urgency_examples(all_texts, urgencies, self.min_urgency_examples)
        self.urgency_counts_by_language_ = _urgency_counts_by_language(
            groups_all, dict(zip(groups, languages, strict=True)), urgencies)
        row_of_text = {group: row for row, group in reversed(list(enumerate(groups)))}
        self.urgency_model_, self.urgency_out_of_fold_ = self._fit_urgency(
            examples, features[:, : self.features_.n_word_features_], row_of_text)
        return self

    def _fit_routing(self, counts, features, y: np.ndarray, true_columns: np.ndarray, assignments,
                     past_cases: PastCases | None, phrasing) -> tuple[np.ndarray, np.ndarray, LinearSVC]:
        """Out-of-fold SVM scores and past cases' votes (zero without past cases) for every row, one
        (rows × classes) array of each per fold assignment, and the final SVM fitted on all rows (`features`).

        liblinear and most sparse algebra release the GIL: threads run the folds, their votes and
        the final model side by side without copying the counts."""
        n_classes = len(self.classes_)
        folds = [(k, train, test) for k, assignment in enumerate(assignments) for train, test in assignment]
        jobs = [delayed(self._fold_scores)(counts, y, train, test) for _, train, test in folds]
        if past_cases:
            jobs += [delayed(past_cases.fold_votes)(phrasing[0], true_columns, n_classes, train, test)
                     for _, train, test in folds]
        *results, classifier = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            jobs + [delayed(self._svm)(features, y, np.arange(len(y)))]
        )
        # float32 halves the largest array a worker holds; scores move by ~1e-7.
        classifier.coef_ = classifier.coef_.astype(np.float32)
        scores = np.zeros((len(assignments), len(y), n_classes))
        votes = np.zeros_like(scores)
        for j, (k, _, test) in enumerate(folds):
            scores[k, test] = results[j]
            if past_cases:
                votes[k, test] = results[len(folds) + j]
        return scores, votes, classifier

    def _fold_scores(self, counts, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
        """Scores of the `test` rows by an SVM fitted on the `train` rows, features weighed on those rows only.
        A fold whose training rows all belong to one department (early in a deployment, most cases go to one) can
        only say that department."""
        seen = np.unique(y[train])
        if len(seen) < 2:
            scores = np.full((len(test), len(self.classes_)), _UNSEEN_CLASS_SCORE)
            scores[:, np.searchsorted(self.classes_, seen)] = 0.0
            return scores
        X = self.features_.fold_matrix(counts, train)
        return self._scores(self._svm(X, y, train, _FOLD_TOLERANCE), X[test])

    def _svm(self, X, y: np.ndarray, train: np.ndarray, tol: float = 1e-4) -> LinearSVC:
        """The routing SVM fitted on rows `train`. liblinear's C weighs the *sum* of the losses:
        scaled by the share of rows a fold holds, each fold model is as regularised as the final model."""
        return make_routing_classifier(self.C_ * len(y) / len(train), tol).fit(X[train], y[train])

    def _fit_urgency(self, examples: UrgencyExamples | None, word_features,
                     row_of_text: dict[str, int]) -> tuple[UrgencyModel | None, dict | None]:
        """The urgency estimator, on the routing word features of the labelled texts, and its
        out-of-fold report; (None, None) when there are no two levels to learn."""
        if examples is None:
            return None, None
        X = word_features[[row_of_text[key] for key in examples.keys]]
        rules = [assess_urgency(text) for text in examples.texts]
        estimator = UrgencyModel(self.urgency_min_similarity)
        report = urgency_out_of_fold(estimator, X, examples.levels, examples.weights, rules, examples.keys, self.cv)
        return clone(estimator).fit(X, examples.levels, examples.weights), report

    def _scores(self, classifier, X) -> np.ndarray:
        """Decision scores aligned on self.classes_, whatever subset the classifier was fitted on.
        A two-class SVM has one margin m, for its second class: the scores are (-m, m)."""
        raw = X @ classifier.coef_.T + classifier.intercept_  # decision_function without its per-call checks
        if raw.shape[1] == 1:
            raw = np.column_stack([-raw[:, 0], raw[:, 0]])
        scores = np.full((X.shape[0], len(self.classes_)), _UNSEEN_CLASS_SCORE)
        scores[:, np.searchsorted(self.classes_, classifier.classes_)] = raw
        return scores

    def _regularisation(self, texts: list[str], weights: np.ndarray) -> float:
        """C as given, or for "auto": 1.0 when most texts are short (few active features each,
        so they need a freer fit), 0.07 for letters, whose many features overfit. Chosen by
        grouped 5-fold CV over several fold assignments (docs/model-experiments.md): on the three letter
        files (CFPB, French, Swahili) 0.07 is level with or above 0.05 and 0.1 on both macro-F1
        and accuracy, and far above 0.3 and 1.0; on the short NYC and Arabic texts 1.0 beats 0.3."""
        if self.C != "auto":
            return float(self.C)
        median = float(np.median(np.repeat([len(text) for text in texts], weights.astype(int))))
        return 1.0 if median < _SHORT_TEXT_CHARS else 0.07

    # -------------------------------------------------------------- predicting
    def predict_proba(self, texts) -> np.ndarray:
        """Calibrated probabilities, columns in the order of `classes_`."""
        check_is_fitted(self, "classifier_")
        texts = _readable(texts)
        analyses = self.features_.analyse(texts)
        return self._probabilities(analyses, self.features_.transform_analysed(analyses),
                                   [detect_language(text) for text in texts])

    def _mixed_scores(self, analyses: list[Analysis], X) -> np.ndarray:
        """Log of the SVM's probabilities mixed with the past cases' votes, before calibration."""
        log_p = log_softmax(self._scores(self.classifier_, X) / self.score_temperature_, axis=1)
        if not self.neighbour_weight_:
            return log_p
        votes = self.past_cases_.votes([analysis.normalised for analysis in analyses])
        return mixed(log_p, votes, self.neighbour_weight_)

    def _probabilities(self, analyses: list[Analysis], X, guesses: list[LanguageGuess]) -> np.ndarray:
        temperature = np.array([self.temperature_for(guess.code) for guess in guesses])
        return calibrated_probabilities(self._mixed_scores(analyses, X), temperature[:, None])

    def predict_departments(self, texts) -> list[str]:
        """Fast path: top-1 department only, no explanation, no triage decision."""
        check_is_fitted(self, "classifier_")
        analyses = self.features_.analyse(_readable(texts))
        scores = self._mixed_scores(analyses, self.features_.transform_analysed(analyses))
        return self.classes_[scores.argmax(axis=1)].tolist()

    def predict(self, texts) -> list[Prediction]:
        """Full predictions: department, confidence, triage decision, reasons and urgency."""
        check_is_fitted(self, "classifier_")
        texts = ["" if text is None else str(text) for text in texts]
        distinct = list(dict.fromkeys(texts))  # a batch often repeats texts: predict each once
        with config_context(assume_finite=True, skip_parameter_validation=True):
            found = dict(zip(distinct, self._predict(distinct), strict=True))
        return [found[text] for text in texts]

    def _predict(self, texts: list[str]) -> list[Prediction]:
        texts = _readable(texts)
        analyses = self.features_.analyse(texts)
        X = self.features_.transform_analysed(analyses)
        guesses = [detect_language(text) for text in texts]
        probabilities = self._probabilities(analyses, X, guesses)
        urgencies = self._predict_urgency(texts, X[:, : self.features_.n_word_features_])
        return [
            self._one_prediction(analyses[i], guesses[i], X[i], probabilities[i], urgencies[i])
            for i, text in enumerate(texts)
        ]

    def _predict_urgency(self, texts: list[str], word_features) -> list[Urgency]:
        """Learned where similar labelled history exists, keyword rules otherwise; rules may raise
        a learned level but never pose as learned."""
        rules = [assess_urgency(text) for text in texts]
        if self.urgency_model_ is None:
            return rules_only(rules)
        return self.urgency_model_.predict(word_features, rules)

    def _one_prediction(self, analysis: Analysis, guess: LanguageGuess, x, probabilities: np.ndarray,
                        urgency: Urgency) -> Prediction:
        triage_reason = self._refusal(analysis, guess)
        if triage_reason is None:
            order = np.argsort(-probabilities)
            best = int(order[0])
            confidence = float(probabilities[best])
            department = str(self.classes_[best])
            top3 = [(str(self.classes_[k]), float(probabilities[k])) for k in order[:3]]
            reasons = explain(self.classifier_, self.features_, analysis, x, best)
            triage_reason = self._triage_reason(analysis, guess, confidence)
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

    # ------------------------------------------------------ the triage decision
    def _refusal(self, analysis: Analysis, guess: LanguageGuess) -> str | None:
        """Why the model cannot read a text at all (no words, or a language it does not know); None when it can."""
        if not analysis.tokens:
            return "too_short"
        if self._unreadable(analysis, guess):
            return "too_short" if len(analysis.tokens) < self.min_words else "unsupported_language"
        return None

    def _triage_reason(self, analysis: Analysis, guess: LanguageGuess, confidence: float) -> str | None:
        """Why a text the model has read goes to manual triage with its suggestion; None when it is auto-routed."""
        if len(analysis.tokens) < self.min_words:
            return "too_short"  # a suggestion for the triage officer, never auto-routed
        if self.threshold_for(guess.code) > 1.0:
            # No confidence reached the accuracy target on this language's held-out rows: even a
            # confident suggestion is checked by an officer, and says why.
            return "language_not_auto_routed"
        if self._coverage(analysis) < self.min_vocabulary_coverage:
            # Most of its words were never met in training: the department rests on character
            # fragments, so it is a suggestion for an officer however confident it looks.
            return "unfamiliar_words"
        if confidence < self.threshold_for(guess.code):
            return "low_confidence"
        return None

    def temperature_for(self, language: str | None) -> float:
        """Softmax temperature for a detected language (the overall one when it has none of its own)."""
        return self.temperatures_.get(language, self.temperature_)

    def threshold_for(self, language: str | None) -> float:
        """Auto-route threshold for a detected language (the overall one when it has none of its own)."""
        return self.thresholds_.get(language, self.threshold_)

    def _unreadable(self, analysis: Analysis, guess: LanguageGuess) -> bool:
        """Not a language the model was trained on, or langid is unsure of a text long enough
        to tell (Wolof, which langid does not know), and most words are unknown to the model.
        langid misreads short texts (English menus as Italian), so words the model knows
        overrule it."""
        if guess.code is None and len(analysis.tokens) < _LANGUAGE_UNSURE_WORDS:
            return False
        return guess.code not in self.languages_ and self._coverage(analysis) < self.min_vocabulary_coverage

    @staticmethod
    def _coverage(analysis: Analysis) -> float:
        """Share of the words that the model met in training (their columns lead `word_columns`)."""
        known = analysis.word_columns[: len(analysis.tokens)] >= 0
        return float(known.mean()) if len(known) else 0.0


def _urgency_counts_by_language(groups: list[str], language_of_group: dict, urgencies) -> dict[str, dict[str, int]]:
    """Urgency labels per language and level (every labelled row, repeats included): where a language has too few,
    its urgency stays with the keyword rules, and the model card says so."""
    counts: dict[str, Counter] = {}
    for group, level in zip(groups, urgencies if urgencies is not None else [None] * len(groups), strict=True):
        if level in URGENCY_LEVELS:
            counts.setdefault(language_of_group.get(group) or "unknown", Counter())[level] += 1
    return {code: dict(sorted(levels.items())) for code, levels in sorted(counts.items())}


def _readable(texts) -> list[str]:
    """The texts as the model reads them, in training and in service alike: redaction marks left out, so that
    a case routed from its redacted text and the same text in a training file look the same to every step
    (features, the capitals mark, language detection)."""
    return [without_marks("" if text is None else str(text)) for text in texts]


def _checked_training_set(texts: list[str], departments: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The departments (sorted) and each text's group key, or ValueError when there is nothing to learn."""
    if len(texts) != len(departments):
        raise ValueError(f"{len(texts)} texts but {len(departments)} departments")
    classes = np.array(sorted(set(departments)), dtype=object)
    if len(classes) < 2:
        raise ValueError("at least two departments are needed")
    groups = [group_key(text) for text in texts]
    if len(set(groups)) < 2:
        raise ValueError("at least two distinct texts are needed")
    return classes, groups


def _training_languages(texts: list[str], rows: list[int], given) -> np.ndarray:
    """The language of each kept row of `texts`: as given, or detected from the text's opening."""
    given = [None] * len(texts) if given is None else list(given)
    return np.asarray([given[i] or detect_language(texts[i][:300]).code for i in rows], dtype=object)
