"""The sign-in forms: password, then the second factor."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from civicly.forms import Form


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class CodeForm(Form):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=64)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})
