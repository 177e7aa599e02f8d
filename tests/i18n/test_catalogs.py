"""The message catalogs are complete, in step with the code, and compiled.

Citizen-facing text must be translated in every language; officer and API text in French and English
(the officers' working languages). After changing text, run `make translations` and translate what it flags.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from civicly.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "civicly" / "translations"
OFFICER_LANGUAGES = ("fr", "en")
# Sources, relative to civicly/, whose text citizens read: shared layout and error pages, the citizen blueprint,
# intake's validation messages, status and event labels.
CITIZEN_SOURCES = ("templates/", "citizen/", "triage/intake.py", "i18n.py", "error_pages.py", "mail.py")


def _extracted() -> dict[str, set[str]]:
    """Every translatable string in the code, with the files it appears in (what `make translations` extracts)."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: dict[str, set[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT / "civicly", method_map, options_map, keywords=keywords):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, set()).add(filename)
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[str, set[str]]:
    return _extracted()


def _catalog(locale: str) -> Catalog:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


def _key(value: str | tuple | list) -> tuple[str, ...]:
    """Singular and plural messages alike, as a tuple of their forms."""
    return (value,) if isinstance(value, str) else tuple(value)


def _translated(message) -> bool:
    return all(_key(message.string)) and not message.fuzzy


def _is_citizen_facing(files: set[str]) -> bool:
    return any(name.replace("\\", "/").startswith(CITIZEN_SOURCES) for name in files)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_has_every_string_of_the_code(locale, extracted):
    catalog = _catalog(locale)
    missing = sorted(msgid for msgid in extracted if msgid not in catalog)
    assert not missing, f"{locale}: not in the catalog, run `make translations`: {missing}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_citizen_facing_strings_are_translated_and_reviewed(locale, extracted):
    catalog = _catalog(locale)
    citizen = {msgid for msgid, files in extracted.items() if _is_citizen_facing(files)}
    assert citizen, "no citizen-facing string found: is CITIZEN_SOURCES still right?"
    bad = sorted(msgid for msgid in citizen if msgid in catalog and not _translated(catalog[msgid]))
    assert not bad, f"{locale}: untranslated or fuzzy citizen-facing strings: {bad}"


@pytest.mark.parametrize("locale", OFFICER_LANGUAGES)
def test_officer_languages_translate_everything(locale, extracted):
    catalog = _catalog(locale)
    bad = sorted(msgid for msgid in extracted if msgid in catalog and not _translated(catalog[msgid]))
    assert not bad, f"{locale}: untranslated or fuzzy strings: {bad}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_translations_keep_their_placeholders(locale):
    problems = [(message.id, [str(e) for e in errors]) for message, errors in _catalog(locale).check()]
    assert not problems, problems


@pytest.mark.parametrize("locale", LANGUAGES)
def test_compiled_catalog_matches_its_source(locale):
    """The .mo files are build products (git-ignored): `make install` compiles them; stale ones show old text."""
    compiled = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo"
    assert compiled.exists(), f"{compiled} is missing: run `make install` (or `make translations`)"
    with open(compiled, "rb") as mo:
        served = {_key(m.id): _key(m.string) for m in read_mo(mo) if m.id}
    source = {_key(m.id): _key(m.string) for m in _catalog(locale) if m.id and _translated(m)}
    assert served == source, f"{compiled} is stale: run `make install` (or `make translations`)"
