"""Dashboard, exports, outbox and audit pages: thin adapters over triage.dashboard, triage.exports, triage.outbox and
triage.audit_trail."""
from __future__ import annotations

import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from civicly.admin import bp
from civicly.admin.figures import figures
from civicly.admin.forms import AuditFilterForm, DashboardFilterForm, RetryForm
from civicly.auth.session import current_actor
from civicly.db import get_read_session, get_session
from civicly.models import OutboxStatus, Role
from civicly.officer.forms import choices
from civicly.triage import audit_trail, dashboard, exports, outbox
from civicly.triage.departments import list_departments, normalise_code

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366


def _scope() -> dashboard.Scope:
    """Admins read every ministry, officers their own; for anyone else the page does not exist."""
    scope = dashboard.scope_for(current_actor())
    if scope is None:
        abort(404)
    return scope


def _filters(scope: dashboard.Scope) -> tuple[DashboardFilterForm, dashboard.Period, str]:
    form = DashboardFilterForm(request.args)
    form.validate()
    ministries = [d.code for d in list_departments(get_read_session()) if scope.allows(d.id)]
    form.ministry.choices = choices(("", _("All my ministries") if scope.department_ids else _("All ministries")),
                                    *((code, code) for code in ministries))
    default = dashboard.Period.last_weeks(DEFAULT_WEEKS)
    start, end = form.start.data or default.start, form.end.data or default.end
    if end < start or (end - start).days > MAX_DAYS:
        start, end = default.start, default.end
    ministry = normalise_code(form.ministry.data)
    if ministry and ministry not in ministries:
        abort(404)  # another ministry's figures do not exist for this reader
    return form, dashboard.Period(start, end), ministry


@bp.get("/dashboard")
@login_required
def dashboard_page():
    scope = _scope()
    form, period, ministry = _filters(scope)
    board = dashboard.build(get_read_session(), scope, period, ministry)
    args = {"start": period.start.isoformat(), "end": period.end.isoformat(), "ministry": ministry}
    return render_template("admin/dashboard.html", form=form, board=board, figures=figures(board), args=args,
                           is_admin=current_actor().role == Role.admin)


@bp.get("/exports/<kind>")
@login_required
def export(kind: str):
    """The dashboard's filtered cases as a download (?format=csv|jsonl), audited; officers get their own ministries
    only."""
    scope = _scope()
    fmt = request.args.get("format", "csv")
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        abort(404)
    _form, period, ministry = _filters(scope)
    out = io.StringIO()
    try:
        exports.export(get_session(), current_actor().email, kind, scope,
                       exports.ExportFilter(period.start, period.end, ministry), fmt, out, "download",
                       reader=get_read_session())
    except exports.UnknownMinistry:
        abort(404)
    name = f"civicly-{kind}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return Response(out.getvalue(), mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _admin_only(refusal: int = 404) -> None:
    """Admins only; others get ``refusal`` (404: the page is not revealed; 403: they are told it is not theirs)."""
    if current_actor().role != Role.admin:
        abort(refusal)


@bp.get("/outbox")
@login_required
def outbox_page():
    """Citizens' e-mails by state, and the dead letters, which an admin may send again."""
    _admin_only()
    session = get_session()
    return render_template("admin/outbox.html", counts=outbox.counts(session), form=RetryForm(),
                           dead=outbox.list_messages(session, OutboxStatus.dead.value))


@bp.post("/outbox/<int:message_id>/retry")
@login_required
def outbox_retry(message_id: int):
    _admin_only()
    if not RetryForm().validate_on_submit():
        abort(400)
    if outbox.retry(get_session(), message_id):
        flash(_("The message will be sent again."))
    else:
        flash(_("This message is not a dead letter any more."), "error")
    return redirect(url_for("admin.outbox_page"), code=303)


def _audit_filter() -> tuple[AuditFilterForm, audit_trail.AuditFilter]:
    """The filter as typed; a field that does not validate is shown with its error and left out of the filter."""
    form = AuditFilterForm(request.args)
    form.validate()
    action = form.action.data if not form.action.errors else ""
    since = form.since.data if not form.since.errors else None
    return form, audit_trail.AuditFilter(since=since, action=action or "")


@bp.get("/audit")
@login_required
def audit_page():
    """The administration audit, newest first, a page at a time, filtered by action or family and start day."""
    _admin_only(403)  # the audit covers every ministry
    form, wanted = _audit_filter()
    found = audit_trail.page(get_session(), wanted, request.args.get("before", type=int))
    args = {"action": wanted.action, "since": wanted.since.isoformat() if wanted.since else ""}
    return render_template("admin/audit.html", form=form, page=found, args=args)


@bp.get("/audit/export.csv")
@login_required
def audit_export():
    """The filtered entries as CSV; the download is itself recorded (audit.export)."""
    _admin_only(403)
    _form, wanted = _audit_filter()
    out = io.StringIO()
    audit_trail.export(get_session(), current_actor().email, wanted, "csv", out, "download")
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="civicly-audit.csv"'})
