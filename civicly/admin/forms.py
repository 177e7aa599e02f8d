"""The dashboard's filters (a GET form: it only chooses what is shown) and the dead letters' retry button."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length
from wtforms.validators import Optional as OptionalValue

from civicly.forms import Form


class DashboardFilterForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[OptionalValue()])
    end = DateField(_l("Until"), validators=[OptionalValue()])
    ministry = SelectField(_l("Ministry"), choices=[], validate_choice=False)  # filled per request from the scope


class AuditFilterForm(Form):
    """Which audit entries to show or download (a GET form)."""

    class Meta:
        csrf = False

    action = StringField(_l("Action or family"), validators=[OptionalValue(), Length(max=48)])
    since = DateField(_l("From"), validators=[OptionalValue()])


class RetryForm(Form):
    """Only the CSRF token: the message id is in the URL."""
