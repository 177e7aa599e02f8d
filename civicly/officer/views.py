"""Officer pages: thin adapters over triage.queue, triage.casefile and triage.decisions."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civicly import areas
from civicly.auth.session import current_actor
from civicly.db import get_session
from civicly.errors import NotAllowed, UnknownReference
from civicly.models import Role
from civicly.officer import bp, history
from civicly.officer.forms import AssignmentForm, DecisionForm, PublicationForm, QueueFilterForm, choices
from civicly.storage import current_storage
from civicly.triage import casefile, decisions, groups, photos, publication, queue, reply_templates
from civicly.triage.departments import list_departments
from civicly.triage.permissions import can_view


@bp.get("/")
@login_required
def home():
    return redirect(url_for("officer.queue"))


def _render_queue(triage: bool):
    form = QueueFilterForm(request.args)
    form.validate()
    known_areas = areas.areas(current_app.config["COUNTRY"], str(get_locale()))
    form.area.choices = choices(("", _("Any")), *((a.code, a.name) for a in known_areas))
    filters = queue.QueueFilters(
        status=form.status.data or "open", urgency=form.urgency.data or "", language=form.language.data or "",
        received_from=form.received_from.data, received_to=form.received_to.data,
        text=(form.q.data or "").strip()[:200], area=(form.area.data or "")[:areas.AREA_CODE_MAX],
        holder=form.holder.data if form.holder.data in queue.HOLDERS and not triage else "",
    )
    page_number = form.page.data if isinstance(form.page.data, int) and 0 < form.page.data < 100_000 else 1
    actor = current_actor()
    page = queue.list_queue(get_session(), actor, filters, page=page_number, triage=triage)
    # Only the filters go into the page links: url_for reads other names (_method, _anchor, _external) itself.
    args = {k: v for k, v in request.args.items() if k in form and k != "page" and v}
    return render_template("officer/queue.html", form=form, page=page, triage=triage, args=args, actor=actor,
                           area_names={a.code: a.name for a in known_areas})


@bp.get("/queue", endpoint="queue")
@login_required
def queue_page():
    return _render_queue(triage=False)


@bp.get("/triage", endpoint="triage")
@login_required
def triage_page():
    if current_actor().role not in (Role.triage, Role.admin):
        abort(404)
    return _render_queue(triage=True)


def render_case(reference: str, form: DecisionForm | None = None, status: int = 200, conflict: bool = False,
                show_contact: bool = False, publication_form: PublicationForm | None = None,
                template_id: int | None = None):
    """The case page; with ``show_contact``, its contact details too (an audited display, 403 for others); with
    ``template_id``, the reply box filled with that template (the "Use template" round trip without JavaScript)."""
    actor = current_actor()
    try:
        case = casefile.open_case(get_session(), actor, reference, str(get_locale()), show_contact=show_contact)
        published = publication.summary(get_session(), actor, reference)
        templates = reply_templates.offered(get_session(), actor, reference, current_app.config["DEFAULT_LOCALE"])
    except UnknownReference:
        abort(404)
    except NotAllowed:
        abort(403)
    form = form or DecisionForm()
    form.department.choices = choices(*((d.code, f"{d.code} · {d.name(str(get_locale()))}")
                                        for d in list_departments(get_session(), include_inactive=False)))
    # The control starts on the model's first suggestion (a ministry still active), else on the current ministry.
    suggested = [m.code for m in case.suggestion.top3 if m.active] if case.suggestion else []
    form.department.data = form.department.data or next(iter(suggested), None) or case.department_code
    publication_form = publication_form or PublicationForm(data={"public_text": published.public_text})
    chosen = next((t for t in templates if t.id == template_id), None)
    ministries = {d.code: d.name(str(get_locale())) for d in list_departments(get_session())}
    return render_template("officer/case.html", case=case, form=form, conflict=conflict, publication=published,
                           publication_form=publication_form, templates=templates, chosen_template=chosen,
                           assignment_form=AssignmentForm(), history=history.lines(case.history, ministries)), status


@bp.get("/cases/<reference>", endpoint="case")
@login_required
def case_page(reference: str):
    return render_case(reference, template_id=request.args.get("template", type=int))


@bp.get("/cases/<reference>/photos/<int:photo_id>", endpoint="photo")
def photo(reference: str, photo_id: int):
    return _serve_photo(reference, photo_id, thumbnail=False)


@bp.get("/cases/<reference>/photos/<int:photo_id>/thumbnail", endpoint="photo_thumbnail")
def photo_thumbnail(reference: str, photo_id: int):
    return _serve_photo(reference, photo_id, thumbnail=True)


def _serve_photo(reference: str, photo_id: int, thumbnail: bool) -> Response:
    """A photo of a case, for the staff who may see the case; 404 for anyone else, signed in or not, so a photo's
    address reveals nothing. Never cached, never sniffed as another type, offered under a neutral file name."""
    if not current_user.is_authenticated:
        abort(404)
    try:
        stored = photos.read_photo(get_session(), current_storage(), current_actor(), reference, photo_id, thumbnail)
    except UnknownReference:
        abort(404)
    response = Response(stored.data, mimetype=stored.content_type)
    suffix = "-thumbnail" if thumbnail else ""
    response.headers["Content-Disposition"] = f'inline; filename="photo-{photo_id}{suffix}.jpg"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<reference>/decide")
@login_required
def decide(reference: str):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = int(form.version.data or "0")
    except ValueError:
        abort(400)
    decision = decisions.Decision(
        action=form.action.data or "", version=version, department_code=form.department.data or "",
        urgency=form.urgency.data or "", status=form.status.data or "", duplicate_of=form.duplicate_of.data or "",
        reason=form.reason.data or "", message=form.message.data or "",
    )
    actor = current_actor()
    try:
        case = decisions.decide(get_session(), actor, reference, decision)
    except UnknownReference:
        abort(404)
    except NotAllowed:
        abort(404)
    except decisions.Conflict:
        return render_case(reference, status=409, conflict=True)
    except decisions.InvalidDecision as exc:
        flash(_("This could not be done: %(why)s.", why=str(exc)), "error")
        return render_case(reference, form=form, status=400)
    flash(_("Saved."))
    if not can_view(actor, case):  # routed away: back to the queue this officer works from, for the next case
        return redirect(url_for("officer.triage" if actor.role == Role.triage else "officer.queue"), code=303)
    return redirect(url_for("officer.case", reference=reference), code=303)


@bp.post("/cases/<reference>/merge")
@login_required
def merge(reference: str):
    """Close the checked similar reports as duplicates of this case."""
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    return _group_action(reference, lambda actor: groups.merge(
        get_session(), actor, reference, request.form.getlist("references")[:1000]),
        lambda n: ngettext("%(num)d report merged into this case.", "%(num)d reports merged into this case.", n))


@bp.post("/cases/<reference>/answer-all")
@login_required
def answer_all(reference: str):
    """Publish one reply on this case and every open report grouped with it."""
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    return _group_action(reference, lambda actor: groups.answer_all(
        get_session(), actor, reference, request.form.get("message", "")),
        lambda n: ngettext("Reply published on %(num)d case.", "Reply published on %(num)d cases.", n))


def _group_action(reference: str, action, done_message):
    try:
        count = action(current_actor())
    except UnknownReference:
        abort(404)
    except groups.GroupActionRefused as exc:
        flash(_("This could not be done: %(why)s.", why=str(exc)), "error")
        return redirect(url_for("officer.case", reference=reference), code=303)
    except NotAllowed:
        abort(404)
    flash(done_message(count))
    return redirect(url_for("officer.case", reference=reference), code=303)


@bp.post("/cases/<reference>/publish")
@login_required
def publish(reference: str):
    """Approve publication of a consented case with the public text as edited (or change that text)."""
    form = PublicationForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        publication.approve(get_session(), current_actor(), reference, form.public_text.data or "")
    except (UnknownReference, NotAllowed):
        abort(404)
    except publication.PublicationRefused as exc:
        flash(_("This could not be done: %(why)s.", why=str(exc)), "error")
        return render_case(reference, status=400, publication_form=form)
    flash(_("Published."))
    return redirect(url_for("officer.case", reference=reference), code=303)


@bp.post("/cases/<reference>/unpublish")
@login_required
def unpublish(reference: str):
    """Withdraw a case from publication."""
    form = PublicationForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        publication.withdraw(get_session(), current_actor(), reference)
    except (UnknownReference, NotAllowed):
        abort(404)
    except publication.PublicationRefused as exc:
        flash(_("This could not be done: %(why)s.", why=str(exc)), "error")
        return redirect(url_for("officer.case", reference=reference), code=303)
    flash(_("Withdrawn from publication."))
    return redirect(url_for("officer.case", reference=reference), code=303)
