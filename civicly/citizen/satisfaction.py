"""Citizens' answer to "is it solved?" on the tracking page of a closed case (a "No" with a reason reopens it): a thin
adapter over triage.satisfaction."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from civicly.citizen import bp
from civicly.db import get_session
from civicly.errors import UnknownReference
from civicly.extensions import limiter
from civicly.forms import Form
from civicly.triage import satisfaction


class SatisfactionForm(Form):
    answered = RadioField(_l("Is it solved?"),
                          choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                          validators=[DataRequired()])
    comment = TextAreaField(_l("If not, tell us briefly what is still wrong: your case will be reopened. "
                               "(Do not write personal details.)"),
                            validators=[Length(max=satisfaction.COMMENT_MAX)], render_kw={"rows": 3})


def survey_context(reference: str) -> dict:
    """What the tracking page needs to ask the question (while the survey of the closed case is open), and whether
    it was answered already (then the answer may be changed; the latest counts)."""
    session = get_session()
    try:
        ask = satisfaction.can_answer(session, reference, _window())
        answered = ask and satisfaction.has_answered(session, reference)
    except UnknownReference:
        return {}
    return {"survey": SatisfactionForm() if ask else None, "survey_answered": answered}


def _window() -> timedelta:
    return timedelta(days=current_app.config["REOPEN_DAYS"])


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.post("/track/<reference>/satisfaction")
@limiter.limit(_track_limit)
def rate_case(reference: str):
    form = SatisfactionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        row = satisfaction.answer(get_session(), reference, form.answered.data == "yes", form.comment.data or "",
                                  window=_window())
    except UnknownReference:
        abort(404)
    except satisfaction.NotAsked:
        return render_template("citizen/satisfaction_refused.html", reference=reference,
                               survey_days=current_app.config["REOPEN_DAYS"]), 409
    reopened = not row.answered and satisfaction.is_open(get_session(), reference)
    return redirect(url_for("citizen.case", reference=reference, rated=1, reopened=1 if reopened else None),
                    code=303)
