"""Reply templates: the sandbox refuses anything but the three placeholders; supervisors and admins manage them on
the web and with ``civicly templates``; an officer fills a reply with one in the citizen's language."""
from __future__ import annotations

import html
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from civicly.cli.templates import templates
from civicly.models import AdminAction, ReplyTemplate
from civicly.triage import reply_templates
from tests.conftest import csrf_token, file_case

ARABIC = "شكرا لكم. ملفكم {reference} لدى {ministry}، وسنجيب قبل {deadline}."


@pytest.mark.parametrize("body", [
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{ reference.__class__.__mro__ }}",
    "{{ reference['x'] }}",
    "{{ ''.__class__ }}",
    "{{ lipsum.__globals__ }}",
    "{% for i in range(10**9) %}{{ i }}{% endfor %}",
    "{% for i in reference %}{% for j in reference %}x{% endfor %}{% endfor %}",
    "{{ reference * 100000000 }}",
    "{% set x = 1 %}",
    "{% if reference %}x{% endif %}",
    "{{ reference|upper }}",
    "{{ range(5) }}",
    "{% while %}",
])
def test_the_sandbox_refuses_anything_but_the_placeholders(body):
    started = time.monotonic()
    with pytest.raises(reply_templates.TemplateRefused):
        reply_templates.render(body, "CIV-0000-0000", "Santé", None, "fr")
    assert time.monotonic() - started < 1


def test_placeholders_are_filled_in_the_citizens_language():
    text = reply_templates.render(ARABIC, "CIV-AB12-CD34", "وزارة الصحة", datetime(2026, 12, 24, tzinfo=UTC), "ar")
    assert text.startswith("شكرا لكم. ملفكم CIV-AB12-CD34 لدى وزارة الصحة")
    assert "{" not in text and "2026" in text
    assert reply_templates.render("Literal {braces}", "R", "M", None, "en") == "Literal {braces}"


def test_templates_are_managed_from_the_command_line_and_audited(app, runner, seeded):
    result = runner.invoke(templates, ["add", "--ministry", "SANTE", "--language", "ar", "--title", "Accusé",
                                       "--body", ARABIC])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(templates, ["add", "--language", "fr", "--title", "Piège", "--body", "{{ config }}"])
    assert refused.exit_code == 1 and "config" in refused.output
    template_id = int(result.output.split()[-1].rstrip("."))
    assert runner.invoke(templates, ["edit", str(template_id), "--title", "Accusé de réception"]).exit_code == 0
    assert "Accusé de réception" in runner.invoke(templates, ["list"]).output
    assert runner.invoke(templates, ["remove", str(template_id)]).exit_code == 0
    with Session(app.extensions["civicly.engine"]) as fresh:
        actions = fresh.exec(select(AdminAction.action).where(col(AdminAction.action).startswith("template."))
                             .order_by(col(AdminAction.id))).all()
        assert actions == ["template.add", "template.edit", "template.remove"]
        assert fresh.exec(select(ReplyTemplate)).all() == []


def test_supervisors_manage_their_ministrys_templates_and_officers_cannot(client, login_as, team, seeded):
    login_as("awa@gov.sn")
    assert client.get("/officer/templates").status_code == 404
    client.post("/officer/logout", data={"csrf_token": csrf_token(client.get("/officer/queue").get_data(True))})
    login_as("boss@gov.sn")
    page = client.get("/officer/templates").get_data(as_text=True)
    token = csrf_token(page)
    refused = client.post("/officer/templates", data={"csrf_token": token, "department": "SANTE",
                                                        "language": "fr", "title": "Piège",
                                                        "body": "{{ config.SECRET_KEY }}"})
    assert refused.status_code == 400 and "test-secret" not in refused.get_data(as_text=True)
    shared = client.post("/officer/templates", data={"csrf_token": token, "department": "*", "language": "fr",
                                                       "title": "Partagé", "body": "Bonjour"})
    assert shared.status_code == 403  # shared templates are for admins
    saved = client.post("/officer/templates", data={"csrf_token": token, "department": "SANTE", "language": "ar",
                                                      "title": "رد", "body": ARABIC})
    assert saved.status_code == 303
    assert "رد" in client.get("/officer/templates").get_data(as_text=True)


def test_use_template_fills_the_reply_in_the_citizens_language_without_javascript(client, login_as, team, seeded):
    case = file_case(seeded, text="المركز الصحي في الحي بدون طبيب منذ أسبوعين ولا أحد يجيب", language="ar")
    reply_templates.add(seeded, "SANTE", "ar", "رد أول", ARABIC, actor="cli:tests")
    reply_templates.add(seeded, "*", "fr", "Réponse en français", "Bonjour {reference}", actor="cli:tests")
    seeded.commit()
    template_id = seeded.exec(select(ReplyTemplate.id).where(ReplyTemplate.language == "ar")).one()
    login_as("awa@gov.sn")
    page = client.get(f"/officer/cases/{case.reference}").get_data(as_text=True)
    assert "رد أول" in page and "Réponse en français" not in page  # only the case's language is offered
    filled = html.unescape(client.get(f"/officer/cases/{case.reference}?template={template_id}").get_data(True))
    reply_box = filled.split('id="reply-message"')[1].split("</textarea>")[0]
    assert f"ملفكم {case.reference} لدى" in reply_box and 'lang="ar"' in reply_box


def test_a_supervisor_cannot_touch_another_ministrys_or_the_shared_templates(client, login_as, team, seeded):
    other = reply_templates.add(seeded, "EDUCATION", "fr", "École", "Bonjour {reference}", actor="cli:tests")
    shared = reply_templates.add(seeded, "*", "fr", "Partagé", "Bonjour {reference}", actor="cli:tests")
    own = reply_templates.add(seeded, "SANTE", "fr", "Santé", "Bonjour {reference}", actor="cli:tests")
    seeded.commit()
    login_as("boss@gov.sn")
    token = csrf_token(client.get("/officer/templates").get_data(as_text=True))
    for template in (other, shared):
        assert client.get(f"/officer/templates/{template.id}").status_code == 404
        assert client.post(f"/officer/templates/{template.id}/remove", data={"csrf_token": token}).status_code == 404
    edited = client.post(f"/officer/templates/{own.id}", data={
        "csrf_token": token, "language": "fr", "title": "Santé (réponse)", "body": "Bonjour {ministry}"})
    assert edited.status_code == 303
    assert client.post(f"/officer/templates/{own.id}/remove", data={"csrf_token": token}).status_code == 303
    assert seeded.get(ReplyTemplate, other.id, populate_existing=True) is not None
