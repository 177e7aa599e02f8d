"""Queue filters and the small decision forms of a case page."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import Optional as OptionalValue

from civicly.forms import Form
from civicly.languages import LANGUAGES


def choices(*pairs: tuple[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


URGENCY_CHOICES = (("high", _l("High")), ("medium", _l("Medium")), ("low", _l("Low")))


class QueueFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that only filters what is shown

    status = SelectField(_l("Status"), choices=choices(
        ("open", _l("Open")), ("new", _l("New")), ("acknowledged", _l("Acknowledged")),
        ("in_progress", _l("In progress")), ("closed", _l("Closed")), ("all", _l("All")),
    ), default="open", validate_choice=False)
    urgency = SelectField(_l("Urgency"), choices=choices(("", _l("Any")), *URGENCY_CHOICES, ("none", _l("Not set"))),
                          validate_choice=False)
    language = SelectField(_l("Language"), choices=choices(("", _l("Any")), *LANGUAGES.items()), validate_choice=False)
    area = SelectField(_l("Area"), choices=[], validate_choice=False)  # the country's areas, filled per request
    received_from = DateField(_l("Received from"), validators=[OptionalValue()])
    received_to = DateField(_l("Received until"), validators=[OptionalValue()])
    q = StringField(_l("Text contains"))
    holder = SelectField(_l("Held by"), choices=choices(
        ("", _l("All of my ministry")), ("mine", _l("Mine")), ("unassigned", _l("Unassigned")),
    ), validate_choice=False)
    page = IntegerField(default=1, validators=[OptionalValue()])


class DecisionForm(Form):
    """One form class for every decision; the ``action`` field says which, the service checks the rest."""

    action = HiddenField()
    version = HiddenField()
    department = SelectField(_l("Ministry"), choices=[], validate_choice=False)  # filled per request from the table
    urgency = SelectField(_l("Urgency"), choices=choices(*URGENCY_CHOICES), validate_choice=False)
    status = SelectField(_l("New status"), choices=choices(
        ("acknowledged", _l("Acknowledged")), ("in_progress", _l("In progress")), ("resolved", _l("Resolved")),
        ("rejected", _l("Rejected")), ("duplicate", _l("Duplicate of another case")),
    ), validate_choice=False)
    duplicate_of = StringField(_l("Reference of the original case"))
    reason = StringField(_l("Reason"))
    message = TextAreaField(_l("Message"), render_kw={"rows": 4})


class AssignmentForm(Form):
    """Take, assign or release a case (triage/assignment.py); ``version`` is the case version the page showed."""

    version = HiddenField()
    assignee = SelectField(_l("Assign to"), choices=[], validate_choice=False)  # filled per request


class ReplyTemplateForm(Form):
    """A reply template (triage/reply_templates.py): the service checks the ministry, language and text."""

    department = SelectField(_l("Ministry"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text"), render_kw={"rows": 6, "dir": "auto"})


class EraseForm(Form):
    """Erasing a citizen's data cannot be undone: the officer ticks that they understand."""

    confirm = BooleanField(_l("I understand that the citizen's data will be erased for good"),
                           validators=[InputRequired(_l("Tick the box to confirm the erasure."))])


class PublicationForm(Form):
    """Approve (or edit) the public text of a consented case, or withdraw it (triage/publication.py)."""

    public_text = TextAreaField(_l("Public text"), render_kw={"rows": 6, "dir": "auto"})
