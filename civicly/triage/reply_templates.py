"""Reply templates: ready answers per ministry (or shared by all) and language, that an officer picks on a case page
and edits before publishing.

A body is text with three placeholders, ``{reference}``, ``{ministry}`` and ``{deadline}``. It is rendered by
Jinja2's ``SandboxedEnvironment`` after a stricter check of its own: the body may hold only text and those three
names, so ``{{ config }}``, attribute or item access, calls, filters, arithmetic and loops are refused when a
template is saved and again when it is rendered, and a rendering is cut at ``RENDERED_MAX`` characters. The sandbox
alone would stop attribute tricks but not a loop over ``range(10**9)``; the check alone would trust our reading of
the grammar; together a template can never reach the application nor hold up a worker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from sqlmodel import Session, col, or_, select

from civicly.errors import CivicError, NotAllowed
from civicly.languages import LANGUAGES
from civicly.models import Department, ReplyTemplate
from civicly.models.audit import MESSAGE_MAX
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit
from civicly.triage.departments import department_by_code, normalise_code
from civicly.triage.permissions import Actor, can_act, find_visible_case

PLACEHOLDERS = ("reference", "ministry", "deadline")
TITLE_MAX = 200
RENDERED_MAX = MESSAGE_MAX
PLACEHOLDER_LIST = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
_PLACEHOLDER = re.compile(r"(?<!\{)\{(" + "|".join(PLACEHOLDERS) + r")\}(?!\})")
# The only nodes a body may contain once parsed: text, ``{{ name }}`` outputs and the template around them.
_ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name)
_environment = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


class TemplateRefused(CivicError):
    """The template cannot be saved or used as written; the message says why."""


@dataclass(frozen=True)
class TemplateRow:
    """A template as lists show it: its ministry's code ('*' for shared ones)."""

    id: int
    department: str
    language: str
    title: str
    body: str


def _source(body: str) -> str:
    """The body as Jinja source: ``{reference}`` becomes ``{{ reference }}``; any other Jinja syntax stays, to be
    checked like the rest."""
    return _PLACEHOLDER.sub(lambda match: "{{ " + match.group(1) + " }}", body)


def check(body: str) -> None:
    """Refuse a body that is anything but text and the three placeholders (TemplateRefused says what)."""
    try:
        tree = _environment.parse(_source(body))
    except TemplateSyntaxError as exc:
        raise TemplateRefused(str(_l("the template cannot be read (line %(line)s): use only %(names)s",
                                     line=exc.lineno, names=PLACEHOLDER_LIST))) from None
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise TemplateRefused(str(_l("only the placeholders %(names)s may be used: no expressions, loops or "
                                         "conditions", names=PLACEHOLDER_LIST)))
        if isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            raise TemplateRefused(str(_l("unknown placeholder %(name)s: use %(names)s", name=node.name,
                                         names=PLACEHOLDER_LIST)))


def render(body: str, reference: str, ministry: str, deadline: datetime | None, language: str) -> str:
    """The body with its placeholders filled, the deadline as a date in ``language``; checked first, in the
    sandbox, and cut at RENDERED_MAX characters."""
    check(body)
    when = format_date(deadline, "long", locale=language) if deadline else "—"
    stream = _environment.from_string(_source(body)).generate(reference=reference, ministry=ministry, deadline=when)
    out, size = [], 0
    for piece in stream:
        out.append(piece)
        size += len(piece)
        if size >= RENDERED_MAX:
            break
    return "".join(out)[:RENDERED_MAX]


def may_manage(actor: Actor, department_id: int | None) -> bool:
    """Admins manage every template; a supervisor those of the ministries they supervise (not the shared ones)."""
    if actor.role.value == "admin":
        return True
    return department_id is not None and department_id in actor.supervised_ids


def may_manage_any(actor: Actor) -> bool:
    return actor.role.value == "admin" or actor.is_supervisor


def _validated(title: str, body: str, language: str) -> tuple[str, str, str]:
    title, body, language = title.strip(), body.strip(), language.strip().lower()
    if language not in LANGUAGES:
        raise TemplateRefused(str(_l("choose a language: %(codes)s", codes=", ".join(LANGUAGES))))
    if not title or len(title) > TITLE_MAX:
        raise TemplateRefused(str(_l("a title of 1 to %(max)d characters is required", max=TITLE_MAX)))
    if not body or len(body) > MESSAGE_MAX:
        raise TemplateRefused(str(_l("a text of 1 to %(max)d characters is required", max=MESSAGE_MAX)))
    check(body)
    return title, body, language


def _department_id(session: Session, code: str) -> int | None:
    if code.strip() in ("", "*"):
        return None
    department = department_by_code(session, code)
    if department is None:
        raise TemplateRefused(str(_l("no ministry has code %(code)s", code=normalise_code(code))))
    return department.id


def add(session: Session, department_code: str, language: str, title: str, body: str, *, actor: str,
        manager: Actor | None = None) -> ReplyTemplate:
    """A new template ('*' or empty code: shared by every ministry), audited as ``template.add``. ``manager``, for
    the web pages, must be allowed to manage that ministry's templates."""
    department_id = _department_id(session, department_code)
    if manager is not None and not may_manage(manager, department_id):
        raise NotAllowed("templates are managed by the ministry's supervisors and admins")
    title, body, language = _validated(title, body, language)
    template = ReplyTemplate(department_id=department_id, language=language, title=title, body=body,
                             updated_by=actor[:254])
    session.add(template)
    session.flush()
    admin_audit.record(session, actor, "template.add", str(template.id), department=department_code or "*",
                       language=language, title=title)
    return template


def get(session: Session, template_id: int, manager: Actor | None = None) -> ReplyTemplate:
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        raise TemplateRefused(str(_l("no template has id %(id)s", id=template_id)))
    if manager is not None and not may_manage(manager, template.department_id):
        raise NotAllowed("templates are managed by the ministry's supervisors and admins")
    return template


def edit(session: Session, template_id: int, *, actor: str, title: str | None = None, body: str | None = None,
         language: str | None = None, manager: Actor | None = None) -> ReplyTemplate:
    """Change a template's title, text or language (only those given), audited as ``template.edit``."""
    template = get(session, template_id, manager)
    before = {"title": template.title, "language": template.language}
    title, body, language = _validated(template.title if title is None else title,
                                       template.body if body is None else body,
                                       template.language if language is None else language)
    template.title, template.body, template.language = title, body, language
    template.updated_by, template.updated_at = actor[:254], utcnow()
    session.add(template)
    session.flush()
    admin_audit.record(session, actor, "template.edit", str(template.id), before=before,
                       after={"title": title, "language": language})
    return template


def remove(session: Session, template_id: int, *, actor: str, manager: Actor | None = None) -> None:
    template = get(session, template_id, manager)
    admin_audit.record(session, actor, "template.remove", str(template.id), language=template.language,
                       title=template.title)
    session.delete(template)
    session.flush()


def rows(session: Session, manager: Actor | None = None) -> list[TemplateRow]:
    """Every template (or those ``manager`` may manage), by ministry, language and title."""
    codes = dict(session.exec(select(Department.id, Department.code)).all())
    found = [TemplateRow(t.id, codes.get(t.department_id, "*") if t.department_id else "*", t.language, t.title,
                         t.body)
             for t in session.exec(select(ReplyTemplate))
             if manager is None or may_manage(manager, t.department_id)]
    return sorted(found, key=lambda row: (row.department != "*", row.department, row.language, row.title.lower()))


def for_case(session: Session, department_id: int | None, language: str) -> list[ReplyTemplate]:
    """The templates an officer may pick on a case: its ministry's and the shared ones, in ``language``."""
    query = select(ReplyTemplate).where(ReplyTemplate.language == language)
    scope = col(ReplyTemplate.department_id).is_(None)
    if department_id is not None:
        scope = or_(scope, ReplyTemplate.department_id == department_id)
    return list(session.exec(query.where(scope).order_by(col(ReplyTemplate.title), col(ReplyTemplate.id))))


@dataclass(frozen=True)
class OfferedTemplate:
    """A template filled for one case, ready to be put in the reply box."""

    id: int
    title: str
    text: str
    language: str


def offered(session: Session, actor: Actor, reference: str, default_language: str) -> list[OfferedTemplate]:
    """The templates for a case the actor may answer, filled in the citizen's language (the case's, else the
    default): its ministry's and the shared ones."""
    case = find_visible_case(session, actor, reference)
    if not can_act(actor, case):
        return []
    language = case.language if case.language in LANGUAGES else default_language
    department = session.get(Department, case.department_id) if case.department_id else None
    ministry = department.name(language) if department else ""
    filled = []
    for template in for_case(session, case.department_id, language):
        try:
            text = render(template.body, case.reference, ministry, case.deadline_at, language)
        except TemplateRefused:  # saved before a stricter check: left out rather than shown broken
            continue
        filled.append(OfferedTemplate(template.id, template.title, text, language))
    return filled
