"""The readable audit log: who did what to which named object, filters, details one click away, CSV."""

import csv
import io
import json
import re
from pathlib import Path

import sqlalchemy as sa

from fundapp.committee.workflow import AGENDA_ITEM, MEETING
from fundapp.concept_notes import services as note_services
from fundapp.concept_notes.workflow import CONCEPT_NOTE
from fundapp.contributions.models import EntryKind
from fundapp.core.audit import record_change
from fundapp.core.models import AuditEntry
from fundapp.demo.services import seed_demo
from fundapp.home import audit, services
from fundapp.programmes.workflow import PROGRAMME, PROGRESS_REPORT
from tests.concept_notes.helpers import make_note

CHECKS = [key for key, _label in note_services.MANUAL_CHECKS]


def _latest(action: str) -> AuditEntry:
    return AuditEntry.query.filter_by(action=action).order_by(AuditEntry.id.desc()).first()


def test_a_screening_reads_as_a_sentence(db, user):
    note = make_note("UNDP", "applicant@example.org", submit=True, attach=True, title="Safe migration in the Sahel")
    note_services.screen(user("secretariat@example.org"), note, "eligible", CHECKS, "")
    row = audit.readable([_latest("concept_note.mark_eligible")])[0]
    assert row.actor == "Samuel Okoye"
    assert row.actor_role == "Fund Management Unit (secretariat)"
    assert row.change == ("submitted", "eligible")
    assert (
        audit.sentence(row)
        == f"Samuel Okoye screened {note.reference} ‘Safe migration in the Sahel’ from submitted to eligible"
    )


def test_objects_are_named_by_their_domains_with_one_query_per_type(db, queries, user):
    make_note("UNDP", "applicant@example.org", submit=True, attach=True, title="First")
    make_note("UNICEF", "applicant2@example.org", submit=True, attach=True, title="Second")
    entries = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(40)))
    types = {e.object_type for e in entries}
    with queries() as q:
        rows = audit.readable(entries)
    assert len(q) <= 2 + len(types)  # the actors (and their roles), then one query per object type
    names = {row.object_name for row in rows}
    assert any("‘First’" in name for name in names)
    assert any("‘Second’" in name for name in names)
    named = audit.names_of(entries)
    assert [e for e in entries if (e.object_type, e.object_id or "") not in named] == []


def test_an_object_no_domain_knows_keeps_its_type_id_and_code(db):
    entry = record_change(None, "results.indicator_deleted", "fund_indicators", 999999, {"code": "9.9.z"})
    row = audit.readable([entry])[0]
    assert row.actor == "The system"
    assert row.sentence == "deleted fund indicator #999999 (9.9.z)"
    unknown = record_change(None, "widgets.polished", "widgets", 7, {})
    assert audit.readable([unknown])[0].sentence == "widgets: polished widget #7"


def test_every_object_of_the_demo_log_has_a_name(db):
    """Each domain answers for the object types it writes to the log: none falls back to "type #id"."""
    seed_demo()
    types = list(db.session.scalars(sa.select(AuditEntry.object_type).distinct()))
    for object_type in types:
        entries = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == object_type).limit(30)))
        names = audit.names_of(entries)
        unnamed = [e for e in entries if (e.object_type, e.object_id or "") not in names]
        assert unnamed == [], f"{object_type}: no domain names {[e.object_id for e in unnamed][:5]}"
        assert object_type in audit.OBJECT_TYPES, object_type
    actions = set(db.session.scalars(sa.select(AuditEntry.action).distinct()))
    assert actions - set(audit.PHRASES) == set(), "actions the log writes without a phrase"


def test_filters_by_actor_name_action_type_dates_and_details(db, user):
    record_change(
        user("secretariat@example.org"), "agreement.created", "agreements", 424242, {"reference": "REF-XYZ-1"}
    )
    record_change(user("admin@example.org"), "user.updated", "users", user("member1@example.org").id, {"name": "x"})
    by_name = services.audit_entries(services.AuditFilters(actor="okoye"))
    assert by_name
    assert {e.actor_email for e in by_name} == {"secretariat@example.org"}
    by_detail = services.audit_entries(services.AuditFilters(contains="REF-XYZ"))
    assert [e.object_id for e in by_detail] == ["424242"]
    assert services.audit_entries(services.AuditFilters(contains="REF_XYZ")) == []  # _ matches itself only
    assert services.audit_entries(services.AuditFilters(action="user.upd", object_type="users"))
    assert services.audit_entries(services.AuditFilters(action="user.upd", object_type="agreements")) == []


def test_the_page_shows_sentences_and_the_details_one_click_away(client, login, user):
    note = make_note("UNDP", "applicant@example.org", submit=True, attach=True, title="Readable title")
    note_services.screen(user("secretariat@example.org"), note, "returned", CHECKS, "Add the budget notes.")
    login("admin@example.org")
    page = client.get("/admin/audit?action=concept_note.return").get_data(as_text=True)
    assert "screened" not in page.split('<ol class="audit-log"')[1].split("</ol>")[0]
    rows = page.split('<ol class="audit-log"')[1]
    assert f"returned {note.reference} ‘Readable title’ for revision" in rows
    assert "“Add the budget notes.”" in rows
    assert '<details class="audit-details"><summary>Details</summary>' in rows
    assert "&#34;reason&#34;: &#34;Add the budget notes.&#34;" in rows or "&quot;reason&quot;" in rows
    assert '<option value="concept_note.return" selected>' in page


def test_the_csv_keeps_the_stored_fields_and_adds_the_sentence(client, login, user):
    note = make_note("UNDP", "applicant@example.org", submit=True, attach=True, title="CSV title")
    note_services.screen(user("secretariat@example.org"), note, "eligible", CHECKS, "")
    login("admin@example.org")
    body = client.get("/admin/audit.csv?action=concept_note.mark_eligible").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == services.AUDIT_CSV_HEADER
    entry = _latest("concept_note.mark_eligible")
    assert rows[0]["hash"] == entry.hash
    assert json.loads(rows[0]["details"]) == json.loads(entry.details)
    assert rows[0]["summary"] == f"Samuel Okoye screened {note.reference} ‘CSV title’ from submitted to eligible"


def test_the_page_runs_the_same_number_of_queries_whatever_the_log(client, login, queries):
    login("admin@example.org")

    def count() -> int:
        with queries() as q:
            assert client.get("/admin/audit?object_type=concept_notes").status_code == 200
        return len(q)

    make_note("UNDP", "applicant@example.org", title="One")
    before = count()
    for n in range(30):
        make_note("UNICEF", "applicant2@example.org", title=f"More {n}")
    assert count() == before


def _written_actions() -> set[str]:
    """Every audit action the code writes: literals in record_change calls and `action = ...` choices, the ledger's
    f"ledger.{kind}" and every state machine's f"{machine}.{action}"."""
    found: set[str] = set()
    for path in Path(audit.__file__).parents[1].rglob("*.py"):
        text = path.read_text()
        for call in re.finditer(r"record_change\(\s*[^,]+,\s*\"([a-z_]+\.[a-z_0-9]+)\"", text):
            found.add(call.group(1))
        for choice in re.finditer(r"action = \"([a-z_]+\.[a-z_0-9]+)\" if .+ else \"([a-z_]+\.[a-z_0-9]+)\"", text):
            found |= {choice.group(1), choice.group(2)}
        for choice in re.finditer(r"\"([a-z_]+\.[a-z_0-9]+)\" if active else \"([a-z_]+\.[a-z_0-9]+)\"", text):
            found |= {choice.group(1), choice.group(2)}
    found |= {f"ledger.{kind.value}" for kind in EntryKind}
    for machine in (CONCEPT_NOTE, MEETING, AGENDA_ITEM, PROGRAMME, PROGRESS_REPORT):
        found |= {f"{machine.name}.{t.action}" for t in machine.transitions}
    return found


def test_every_action_the_code_writes_has_a_phrase_and_every_object_type_a_label():
    written = _written_actions()
    assert len(written) > 80  # the scan finds the code's actions
    assert written - set(audit.PHRASES) == set(), "add a phrase in fundapp/home/audit.py"
    types = set()
    for path in Path(audit.__file__).parents[1].rglob("*.py"):
        types |= set(re.findall(r"record_change\(\s*[^,]+,\s*[^,]+,\s*\"([a-z_]+)\"", path.read_text()))
    types |= {"concept_note", "committee_meeting", "committee_agenda_item", "joint_programmes", "progress_reports"}
    assert len(types) > 25
    assert types - set(audit.OBJECT_TYPES) == set(), "add a label in fundapp/home/audit.py"
