"""The case page speaks the officer's language: history lines are sentences, the model's verdict reads "model
VERSION, 96 %", and no label is left in English or as raw key/value text."""
from __future__ import annotations

import html
import re

import pytest

from civicly.classify import Routing
from civicly.triage.decisions import Decision, decide
from civicly.triage.intake import SubmissionInput, submit
from classifier import Prediction
from tests.working_day.conftest import actor_of

RAW = re.compile(r"\b(department|confidence|urgency|source|triage_reason|assignee|chosen_by): ")


@pytest.fixture
def routed_case(seeded, team):
    verdict = Prediction(department="SANTE", confidence=0.9605, auto_routed=True,
                         top3=[("SANTE", 0.9605), ("EDUCATION", 0.03), ("AGRICULTURE", 0.0095)], reasons=["طبيب"],
                         urgency="medium", urgency_score=0.5, urgency_source="rules", urgency_reasons=[],
                         language="ar", triage_reason=None)
    case = submit(seeded, SubmissionInput(text="لا يوجد طبيب في المركز الصحي منذ أسبوعين", language="ar"),
                  route=lambda _text: Routing("2026-12-01-a1b2", verdict))
    seeded.commit()
    awa = actor_of(seeded, "awa@gov.sn")
    decide(seeded, awa, case.reference, Decision("urgency", case.version, urgency="high", reason="الأطفال مرضى"))
    seeded.commit()
    return case


@pytest.mark.parametrize("language, sentences, facts", [
    ("en", ["the citizen: Received through the web form, in العربية.",
            "the routing model: Sent to Health and Prevention by the model 2026-12-01-a1b2, 96%.",
            "awa@gov.sn: Urgency changed from Medium to High: الأطفال مرضى."],
     ["High (officer)", 'channel">Web form<']),
    ("fr", ["le citoyen: Reçu par le formulaire web, en العربية.",
            "le modèle d'orientation: Transmis à Santé et prévention par le modèle 2026-12-01-a1b2, 96\xa0%.",
            "awa@gov.sn: Urgence modifiée de Moyenne à Élevée : الأطفال مرضى."],
     ["Élevée (agent)", 'channel">Formulaire web<']),
    ("ar", ["المواطن: وصل عبر الاستمارة الإلكترونية، باللغة: العربية.",
            "نموذج التوجيه: أُحيل إلى الصحة والوقاية بواسطة النموذج 2026-12-01-a1b2، 96",
            "awa@gov.sn: تغيّرت درجة الاستعجال من متوسطة إلى مرتفعة: الأطفال مرضى."],
     ["مرتفعة (موظف)", 'channel">استمارة الموقع<']),
    ("sw", ["mwananchi: Imepokelewa kupitia fomu ya tovuti, kwa lugha ya العربية.",
            "modeli ya kuelekeza: Imetumwa kwa Afya na Kinga na modeli 2026-12-01-a1b2, 96%.",
            "awa@gov.sn: Uharaka umebadilishwa kutoka Wastani kuwa Juu: الأطفال مرضى."],
     ["Juu (afisa)", 'channel">Fomu ya tovuti<']),
])
def test_history_is_told_in_sentences_in_the_officers_language(client, login_as, routed_case, language, sentences,
                                                               facts):
    login_as("awa@gov.sn")
    client.set_cookie("civicly_lang", language)
    page = html.unescape(client.get(f"/officer/cases/{routed_case.reference}").get_data(as_text=True))
    history = re.sub(r"<[^>]+>", "", page.split('<ol class="history">')[1].split("</ol>")[0])
    for sentence in sentences:
        assert sentence in history
    assert not RAW.search(history) and "0.9605" not in history
    for fact in facts:
        assert fact in page
    assert "(rules)" not in page and "(officer)" not in page.replace(facts[0], "") and "· web<" not in page
