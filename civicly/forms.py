"""The base of every form: Flask-WTF's, with WTForms' own messages (a missing CSRF token, a wrong choice) in the
page's language from a catalogue read once per language and process. Flask-WTF reads that catalogue again on every
request, which was a tenth of the cost of a citizen's submission."""
from __future__ import annotations

from functools import cache
from typing import Any

from babel.support import Translations
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@cache
def _wtforms_catalogue(locale: str) -> Translations:
    """WTForms' catalogue for ``locale``; WTForms has none for Swahili, whose messages stay in English."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> Any:
            return _wtforms_catalogue(str(get_locale()))
