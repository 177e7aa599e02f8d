"""The citizen's submission and tracking forms. Field rules live in triage.intake, not here."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from civicly.areas import Area
from civicly.forms import Form
from civicly.languages import LANGUAGES
from civicly.triage.intake import EMAIL_MAX, NAME_MAX, PHONE_MAX, PLACE_MAX, TEXT_MAX

PHOTO_TYPES = "image/jpeg,image/png,image/webp,image/heic,image/heif"  # a hint to the phone; the server sniffs bytes


class SubmissionForm(Form):
    text = TextAreaField(_l("Your concern or suggestion"), render_kw={"maxlength": TEXT_MAX, "rows": 8, "dir": "auto"})
    place = StringField(_l("Place (region, town or district)"),
                        render_kw={"maxlength": PLACE_MAX, "autocomplete": "address-level2", "dir": "auto"})
    # Filled per request with the configured country's areas, named in the page's language (area_choices).
    area_code = SelectField(_l("Area"), choices=[], validate_choice=False)
    # The browser's position, only when the citizen asks for it (civicly.js); the server keeps it to about 100 m.
    latitude = HiddenField()
    longitude = HiddenField()
    photos = MultipleFileField(_l("Photos"), render_kw={"accept": PHOTO_TYPES})
    name = StringField(_l("Your name"), render_kw={"maxlength": NAME_MAX, "autocomplete": "name", "dir": "auto"})
    email = EmailField(_l("E-mail address"), render_kw={"maxlength": EMAIL_MAX, "autocomplete": "email", "dir": "ltr"})
    phone = TelField(_l("Phone number"), render_kw={"maxlength": PHONE_MAX, "autocomplete": "tel", "dir": "ltr"})
    # Unticked unless the citizen ticks it: news of the case by SMS, only to the number given above.
    sms_consent = BooleanField(_l("Send me news of my case by SMS"), default=False)
    language = SelectField(_l("Language of your message"), choices=[
        SelectChoice("", _l("Detect automatically")),
        *(SelectChoice(code, label, render_kw={"lang": code}) for code, label in LANGUAGES.items()),
    ], validate_choice=False)
    # Unticked unless the citizen ticks it: nothing is published without consent (triage/publication.py).
    publish_consent = BooleanField(_l("I agree that my report may be published, without my contact details"),
                                   default=False)
    form_token = HiddenField()
    # Honeypot: hidden from people (off-screen, out of the tab order, hidden from screen readers); bots fill it in.
    website = StringField(_l("Leave this field empty"), render_kw={"tabindex": "-1", "autocomplete": "off"})


def area_choices(found: list[Area]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose an area (optional)")), *(SelectChoice(a.code, a.name) for a in found)]


class TrackForm(Form):
    class Meta:
        csrf = False  # a read-only lookup by GET; nothing changes

    reference = StringField(_l("Case reference"), render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                                              "placeholder": "CIV-XXXX-XXXX", "spellcheck": "false"})
