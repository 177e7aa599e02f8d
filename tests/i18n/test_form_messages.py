"""WTForms' own messages follow the page's language, from a catalogue read once per language."""
from wtforms import StringField
from wtforms.validators import DataRequired

from civicly.forms import Form, _wtforms_catalogue


class Required(Form):
    class Meta:
        csrf = False

    name = StringField(validators=[DataRequired()])


def test_wtforms_messages_are_in_the_page_language_and_read_once(app):
    _wtforms_catalogue.cache_clear()
    for header, message in (("fr", "Ce champ est requis."), ("ar", "هذا الحقل مطلوب."),
                            ("sw", "This field is required."), ("fr", "Ce champ est requis.")):
        with app.test_request_context("/", method="POST", headers={"Accept-Language": header}):
            form = Required()
            assert not form.validate()
            assert form.name.errors == [message]
    assert _wtforms_catalogue.cache_info().misses == 3  # fr, ar, sw: French came from the cache the second time
