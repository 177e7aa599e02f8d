"""Civicly's machine-learning library: routing citizen texts to departments, ranking urgency, comparing reports.

Texts and labels in, predictions and reports out; it knows nothing of the web app or the database.
"""
from classifier.dataset import (
    DataFile,
    DatasetError,
    SkippedRow,
    TrainingSet,
    file_sha256,
    group_key,
    grouped_folds,
    held_out_split,
    load_label_map,
    load_training_data,
    read_training_csv,
)
from classifier.evaluate import evaluate_model, evaluate_predictions, format_report, routing_report, urgency_report
from classifier.language import SUPPORTED_LANGUAGES, LanguageGuess, detect_language
from classifier.model import Prediction, TriageModel
from classifier.registry import Registry, RegistryError, describe_data_files, label_map_entry, library_versions
from classifier.similarity import most_similar, same_place, similarity_matrix
from classifier.text import normalise
from classifier.urgency_rules import RuleAssessment, assess_urgency

__all__ = [
    "DataFile",
    "DatasetError",
    "LanguageGuess",
    "Prediction",
    "Registry",
    "RegistryError",
    "RuleAssessment",
    "SUPPORTED_LANGUAGES",
    "SkippedRow",
    "TrainingSet",
    "TriageModel",
    "assess_urgency",
    "describe_data_files",
    "detect_language",
    "evaluate_model",
    "evaluate_predictions",
    "file_sha256",
    "format_report",
    "group_key",
    "grouped_folds",
    "held_out_split",
    "label_map_entry",
    "library_versions",
    "load_label_map",
    "load_training_data",
    "most_similar",
    "normalise",
    "read_training_csv",
    "routing_report",
    "same_place",
    "similarity_matrix",
    "urgency_report",
]
