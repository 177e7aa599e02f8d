"""Transparent keyword rules for urgency, used where there is too little labelled history to learn it.

Each rule is a named concern with a level and keywords in French, English, Arabic and
Swahili. A text gets the highest level among the concerns it mentions; the matched words
are returned as the reasons, so an officer can see exactly why a case was ranked up.
Keywords are matched on normalised text (see `classifier.text.normalise`), whole words,
with common Arabic proclitics (و ف ب ل ال) allowed in front.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.text import normalise

LEVEL_SCORES = {"high": 0.9, "medium": 0.6, "low": 0.2}
LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class UrgencyRule:
    concern: str
    level: str
    keywords: tuple[str, ...]


RULES: tuple[UrgencyRule, ...] = (
    UrgencyRule("danger to life", "high", (
        "danger", "dangerous", "dying", "dead", "death", "unconscious", "not breathing", "suicide",
        "collapse", "collapsed", "gas leak", "emergency", "life threatening",
        "dangereux", "dangereuse", "mourir", "mort", "morts", "décès", "inconscient", "urgence",
        "fuite de gaz", "effondrement", "effondré", "en danger",
        "خطر", "موت", "وفاه", "يموت", "طوارئ", "تسرب الغاز", "تسرب غاز", "انهيار", "فاقد الوعي",
        "hatari", "kufa", "kifo", "amefariki", "dharura", "amezimia", "kuporomoka",
    )),
    UrgencyRule("violence", "high", (
        "violence", "violent", "assault", "assaulted", "attack", "attacked", "beaten", "rape", "raped",
        "abuse", "abused", "weapon", "gun", "guns", "knife", "shooting", "threatened",
        "agression", "agressé", "agressée", "viol", "violée", "battu", "battue", "arme", "armes",
        "couteau", "menacé", "menacée", "menaces", "harcèlement",
        "عنف", "اعتداء", "اغتصاب", "سلاح", "تهديد", "ضرب", "طعن",
        "vurugu", "shambulio", "kushambuliwa", "ubakaji", "kubakwa", "silaha", "kupigwa", "kisu", "tishio",
    )),
    UrgencyRule("fire", "high", (
        "fire", "smoke", "burning", "explosion",
        "incendie", "feu", "fumée", "brûle", "explosion",
        "حريق", "حرائق", "دخان", "انفجار",
        "moto", "moshi", "mlipuko", "kuungua", "inaungua",
    )),
    UrgencyRule("flooding", "high", (
        "flood", "flooding", "flooded",
        "inondation", "inondations", "inondé", "inondée", "crue",
        "فيضان", "فيضانات", "سيول",
        "mafuriko", "gharika",
    )),
    UrgencyRule("injury or acute illness", "high", (
        "bleeding", "injured", "injury", "ambulance", "overdose", "poisoning", "poisoned", "outbreak", "cholera",
        "blessé", "blessée", "blessés", "saigne", "intoxication", "épidémie", "choléra",
        "نزيف", "جريح", "جرحي", "اسعاف", "تسمم", "وباء", "كوليرا",
        "majeruhi", "kuvuja damu", "ambulensi", "sumu", "kipindupindu",
    )),
    UrgencyRule("children", "medium", (
        "child", "children", "baby", "infant", "kids",
        "enfant", "enfants", "bébé", "nourrisson",
        "طفل", "اطفال", "رضيع",
        "mtoto", "watoto",
    )),
    UrgencyRule("outage of water, power or heating", "medium", (
        "no water", "no heat", "no power", "power outage", "blackout", "no electricity", "without electricity",
        "no hot water", "without water", "without heat",
        "coupure d'eau", "coupure de courant", "coupure d'électricité", "sans eau", "sans électricité",
        "panne d'électricité", "pas d'eau", "plus d'eau", "plus d'électricité", "pas de chauffage", "sans chauffage",
        "انقطاع الماء", "انقطاع المياه", "انقطاع الكهرباء", "لا يوجد ماء", "بدون كهرباء", "بدون ماء",
        "hakuna maji", "hakuna umeme", "kukatika kwa umeme", "umeme umekatika", "maji yamekatika",
    )),
    UrgencyRule("health", "medium", (
        "sick", "illness", "hospital", "malade", "malades", "maladie", "hôpital", "مريض", "مرض", "مستشفي",
        "mgonjwa", "ugonjwa", "hospitali",
    )),
)

_PROCLITICS = "(?:و|ف|ب|ل|ال|وال|بال|فال|لل)?"


def _pattern(keywords) -> re.Pattern[str]:
    alternatives = sorted(set(keywords), key=len, reverse=True)
    return re.compile(rf"(?<!\w){_PROCLITICS}({'|'.join(map(re.escape, alternatives))})(?!\w)")


def _rules_of_keywords() -> dict[str, list[UrgencyRule]]:
    rules_of: dict[str, list[UrgencyRule]] = {}
    for rule in RULES:
        for keyword in rule.keywords:
            rules_of.setdefault(normalise(keyword), []).append(rule)
    return rules_of


# One pattern for every keyword (a single pass over the text), then each keyword's rules.
_RULES_OF = _rules_of_keywords()
_ANY_KEYWORD = _pattern(_RULES_OF)


@dataclass(frozen=True)
class RuleAssessment:
    level: str
    score: float
    reasons: list[str]


def assess_urgency(text: str) -> RuleAssessment:
    """Highest level among the concerns the text mentions; 'low' with a stated default otherwise."""
    found: dict[UrgencyRule, set[str]] = {}
    for match in _ANY_KEYWORD.finditer(normalise(text)):
        for rule in _RULES_OF[match.group(1)]:
            found.setdefault(rule, set()).add(match.group(1))
    level, reasons, concerns = "low", [], 0
    for rule in RULES:  # reasons in the rules' order
        if rule in found:
            concerns += 1
            reasons.append(f"{rule.concern}: {', '.join(sorted(found[rule]))}")
            if LEVEL_RANK[rule.level] > LEVEL_RANK[level]:
                level = rule.level
    if not reasons:
        return RuleAssessment("low", LEVEL_SCORES["low"], ["no urgency keyword found (rule default)"])
    # Several distinct concerns in one message rank it a little higher within its level.
    score = min(1.0, LEVEL_SCORES[level] + 0.03 * (concerns - 1))
    return RuleAssessment(level, score, reasons)
