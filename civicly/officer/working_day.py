"""The officer's working day on the web: take, assign and release cases, the supervisors' load view, and the reply
templates' pages. Thin adapters over triage.assignment and triage.reply_templates."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from civicly.auth.session import current_actor
from civicly.db import get_session
from civicly.errors import NotAllowed, UnknownReference
from civicly.languages import LANGUAGES
from civicly.officer import bp
from civicly.officer.forms import AssignmentForm, ReplyTemplateForm, choices
from civicly.officer.views import render_case
from civicly.triage import assignment, decisions, reply_templates
from civicly.triage.departments import list_departments


def _holder_change(reference: str, change):
    form = AssignmentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = int(form.version.data or "0")
    except ValueError:
        abort(400)
    try:
        change(get_session(), current_actor(), reference, version, form)
    except UnknownReference:
        abort(404)
    except NotAllowed:
        abort(403)
    except decisions.Conflict:
        return render_case(reference, status=409, conflict=True)
    except decisions.InvalidDecision as exc:
        flash(_("This could not be done: %(why)s.", why=str(exc)), "error")
        return render_case(reference, status=400)
    flash(_("Saved."))
    return redirect(url_for("officer.case", reference=reference), code=303)


@bp.post("/cases/<reference>/take")
@login_required
def take(reference: str):
    return _holder_change(reference, lambda session, actor, ref, version, _form:
                          assignment.take(session, actor, ref, version))


@bp.post("/cases/<reference>/assign")
@login_required
def assign(reference: str):
    return _holder_change(reference, lambda session, actor, ref, version, form:
                          assignment.assign(session, actor, ref, version, form.assignee.data or ""))


@bp.post("/cases/<reference>/release")
@login_required
def release(reference: str):
    return _holder_change(reference, lambda session, actor, ref, version, _form:
                          assignment.release(session, actor, ref, version))


@bp.get("/load")
@login_required
def load():
    """Each supervised ministry's officers with the open and overdue cases they hold, and the unassigned ones."""
    locale = str(get_locale())
    names = {d.id: d.name(locale) for d in list_departments(get_session())}
    try:
        loads = assignment.load(get_session(), current_actor(), names)
    except NotAllowed:
        abort(404)
    return render_template("officer/load.html", loads=loads)


def _template_form(form: ReplyTemplateForm | None = None) -> ReplyTemplateForm:
    """The form with the ministries this person may write templates for ('*': shared, for admins)."""
    actor = current_actor()
    form = form or ReplyTemplateForm()
    locale = str(get_locale())
    ministries = [(d.code, f"{d.code} · {d.name(locale)}") for d in list_departments(get_session(), False)
                  if reply_templates.may_manage(actor, d.id)]
    shared = [("*", _("Every ministry (shared)"))] if reply_templates.may_manage(actor, None) else []
    form.department.choices = choices(*shared, *ministries)
    form.language.choices = choices(*LANGUAGES.items())
    return form


def _templates_page(form: ReplyTemplateForm | None = None, status: int = 200):
    actor = current_actor()
    if not reply_templates.may_manage_any(actor):
        abort(404)
    return render_template("officer/templates.html", rows=reply_templates.rows(get_session(), actor),
                           form=_template_form(form), placeholders=reply_templates.PLACEHOLDER_LIST), status


@bp.get("/templates")
@login_required
def templates():
    return _templates_page()


@bp.post("/templates")
@login_required
def add_template():
    actor = current_actor()
    if not reply_templates.may_manage_any(actor):
        abort(404)
    form = _template_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        reply_templates.add(get_session(), form.department.data or "", form.language.data or "",
                            form.title.data or "", form.body.data or "", actor=actor.email, manager=actor)
    except NotAllowed:
        abort(403)
    except reply_templates.TemplateRefused as exc:
        form.body.errors = [str(exc)]
        return _templates_page(form, 400)
    flash(_("Template saved."))
    return redirect(url_for("officer.templates"), code=303)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(template_id: int):
    actor = current_actor()
    try:
        template = reply_templates.get(get_session(), template_id, actor)
    except (reply_templates.TemplateRefused, NotAllowed):
        abort(404)
    form = ReplyTemplateForm(data={"title": template.title, "body": template.body, "language": template.language})
    form.language.choices = choices(*LANGUAGES.items())
    if form.is_submitted():
        if not form.validate():
            abort(400)
        try:
            reply_templates.edit(get_session(), template_id, actor=actor.email, title=form.title.data or "",
                                 body=form.body.data or "", language=form.language.data or "", manager=actor)
        except reply_templates.TemplateRefused as exc:
            form.body.errors = [str(exc)]
            return render_template("officer/template_edit.html", form=form, template=template,
                                   placeholders=reply_templates.PLACEHOLDER_LIST), 400
        flash(_("Template saved."))
        return redirect(url_for("officer.templates"), code=303)
    return render_template("officer/template_edit.html", form=form, template=template,
                           placeholders=reply_templates.PLACEHOLDER_LIST)


@bp.post("/templates/<int:template_id>/remove")
@login_required
def remove_template(template_id: int):
    if not AssignmentForm().validate_on_submit():  # only its CSRF token
        abort(400)
    actor = current_actor()
    try:
        reply_templates.remove(get_session(), template_id, actor=actor.email, manager=actor)
    except (reply_templates.TemplateRefused, NotAllowed):
        abort(404)
    flash(_("Template removed."))
    return redirect(url_for("officer.templates"), code=303)
