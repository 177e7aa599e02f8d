"""A citizen's rights from the case page: show contact details, export the case's data, erase it. Thin adapters over
triage.casefile, triage.retention and triage.erasure; every one of these actions is audited there."""
from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from civicly.auth.session import current_actor
from civicly.db import get_session
from civicly.errors import NotAllowed, UnknownReference
from civicly.models import Case
from civicly.officer import bp
from civicly.officer.forms import EraseForm
from civicly.officer.views import render_case
from civicly.triage import erasure, retention
from civicly.triage.permissions import find_case_for_data_rights


def _case_for_data_rights(reference: str) -> Case:
    """404 for whoever may not see the case, 403 for whoever sees it without handling its citizen's data."""
    try:
        return find_case_for_data_rights(get_session(), current_actor(), reference)
    except UnknownReference:
        abort(404)
    except NotAllowed:
        abort(403)


@bp.post("/cases/<reference>/contact")
@login_required
def show_contact(reference: str):
    """The case page with its contact details: a POST (CSRF-checked by the app), as each display is recorded."""
    return render_case(reference, show_contact=True)


@bp.post("/cases/<reference>/export")
@login_required
def export_data(reference: str):
    """Everything held about the case, as a JSON download for the citizen who asked for it."""
    case = _case_for_data_rights(reference)
    data = retention.export_personal_data(get_session(), case.reference, current_actor().email)
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="civicly-{case.reference}.json"',
        "Cache-Control": "no-store"})


@bp.get("/cases/<reference>/erase")
@login_required
def confirm_erase(reference: str):
    case = _case_for_data_rights(reference)
    return render_template("officer/erase.html", reference=case.reference, form=EraseForm())


@bp.post("/cases/<reference>/erase")
@login_required
def erase(reference: str):
    """Erase the citizen's data, once the officer confirmed; the case stays as a skeleton for statistics."""
    case = _case_for_data_rights(reference)
    form = EraseForm()
    if not form.validate_on_submit():
        return render_template("officer/erase.html", reference=case.reference, form=form), 400
    erasure.erase_case(get_session(), case, current_actor().email)
    flash(_("The citizen's personal data was erased from this case."))
    return redirect(url_for("officer.case", reference=case.reference), code=303)
