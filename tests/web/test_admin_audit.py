"""/admin/audit: admins read the administration audit newest first, a page at a time, filtered, and download it."""
import csv
import io

from sqlmodel import select

from civicly.models import AdminAction
from civicly.triage import admin_audit, audit_trail


def fill(session, count: int) -> None:
    for number in range(count):
        admin_audit.record(session, "cli:ops", "model.promote" if number % 2 else "apikey.create", f"target-{number}")
    session.commit()


def test_admin_pages_through_entries_newest_first(client, seeded, make_user, login_as):
    make_user("root@gov.sn", "admin", [])  # audited too (user.create, user.2fa_enrol): before the entries paged
    fill(seeded, audit_trail.PAGE_SIZE + 5)
    login_as("root@gov.sn")
    first = client.get("/admin/audit").get_data(as_text=True)
    assert f"target-{audit_trail.PAGE_SIZE + 4}<" in first and "target-5<" in first and "target-4<" not in first
    assert first.index(f"target-{audit_trail.PAGE_SIZE + 4}<") < first.index("target-5<")
    assert 'href="/admin/audit"' in first  # the admin menu links to it
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "target-4<" in second and "target-0<" in second and "target-5<" not in second
    assert 'rel="next"' not in second


def test_filter_by_family_and_a_bad_date_keeps_what_was_typed(client, seeded, make_user, login_as):
    fill(seeded, 4)
    make_user("root@gov.sn", "admin", [])
    login_as("root@gov.sn")
    page = client.get("/admin/audit?action=model").get_data(as_text=True)
    assert "target-1<" in page and "target-3<" in page and "target-0<" not in page
    bad = client.get("/admin/audit?action=apikey.create&since=not-a-date")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'value="not-a-date"' in body and 'aria-invalid="true"' in body
    assert "target-0<" in body and "target-1<" not in body
    assert client.get("/admin/audit?before=nope").status_code == 200


def test_csv_download_is_filtered_and_recorded(client, seeded, make_user, login_as):
    fill(seeded, 4)
    make_user("root@gov.sn", "admin", [])
    login_as("root@gov.sn")
    response = client.get("/admin/audit/export.csv?action=model.")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["target"] for row in rows] == ["target-3", "target-1"]
    seeded.expire_all()
    [download] = seeded.exec(select(AdminAction).where(AdminAction.action == "audit.export")).all()
    assert (download.actor, download.details["destination"], download.details["rows"]) == ("root@gov.sn",
                                                                                          "download", 2)


def test_officers_are_refused_and_not_shown_the_link(client, seeded, make_user, login_as):
    make_user("a@sante.gouv.sn", "officer", ["SANTE"])
    login_as("a@sante.gouv.sn")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403
    assert 'href="/admin/audit"' not in client.get("/admin/dashboard").get_data(as_text=True)
