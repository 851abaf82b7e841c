"""The home pages in French, Spanish and Arabic: a role's inbox (its sections, counts and empty states), the search
box, the readable audit log (its CSV stays in English), and overdue notices in each recipient's language, never
repeated because a person changed language."""

import csv
import html
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.concept_notes import services as note_services
from fundapp.core import clock
from fundapp.core.i18n import force_locale
from fundapp.core.money import format_money
from fundapp.home import audit, overdue
from fundapp.notifications.models import Notification
from tests.concept_notes.helpers import make_note
from tests.home.world import ON, build
from tests.notifications.languages import speaking

CHECKS = [key for key, _label in note_services.MANUAL_CHECKS]

INBOX = {
    "fr": [
        "Unité de gestion du Fonds : votre travail",
        "Notes conceptuelles à examiner",
        "Rapports d'avancement à approuver",
        "Tranches à débloquer",
        "Tranches bloquées",
        "Versements en retard",
        "Votre travail en un coup d'œil",
        "éléments demandent votre action",
    ],
    "es": [
        "Unidad de Gestión del Fondo: su trabajo",
        "Notas conceptuales por examinar",
        "Informes de progreso por aprobar",
        "Tramos por liberar",
        "Tramos bloqueados",
        "Pagos atrasados",
        "Su trabajo de un vistazo",
        "elementos requieren su acción",
    ],
    "ar": [
        "وحدة إدارة الصندوق: عملك",
        "مذكرات مفاهيمية للفرز",
        "تقارير مرحلية للاعتماد",
        "شرائح للإفراج عنها",
        "الشرائح المحجوبة",
        "الأقساط المتأخرة",
        "عملك في لمحة",
        "يتطلب إجراءً منك",
    ],
}


@pytest.fixture
def world(db):
    return build()


@pytest.mark.parametrize("code", ["fr", "es", "ar"])
def test_the_secretariats_inbox_in_each_language(app, db, client, login, world, code):
    login("secretariat@example.org")
    with clock.frozen(ON), speaking(app, code):
        page = html.unescape(client.get("/secretariat").get_data(as_text=True))
    for text in INBOX[code]:
        assert text in page, text
    assert "Concept notes to screen" not in page
    assert "Your work at a glance" not in page


@pytest.mark.parametrize(
    ("code", "empty"),
    [
        ("fr", "Rien de ce que vous pouvez ouvrir ne correspond à « zzzz »."),
        ("es", "Nada de lo que puede abrir coincide con «zzzz»."),
        ("ar", "لا شيء مما يمكنك فتحه يطابق «zzzz»."),
    ],
)
def test_search_says_nothing_matches_in_each_language(app, db, client, login, code, empty):
    login("secretariat@example.org")
    with speaking(app, code):
        page = html.unescape(client.get("/search?q=zzzz").get_data(as_text=True))
    assert empty in page


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("fr", "Samuel Okoye a procédé à l'examen préalable de {ref} ‘Sahel’ de soumis à éligible"),
        ("es", "Samuel Okoye realizó el examen preliminar de {ref} ‘Sahel’ de presentado a admisible"),
        ("ar", "Samuel Okoye فرز {ref} ‘Sahel’ من مقدَّم إلى مؤهلة"),
    ],
)
def test_the_audit_log_reads_as_a_sentence_in_each_language(db, user, code, sentence):
    note = make_note("UNDP", "applicant@example.org", submit=True, attach=True, title="Sahel")
    note_services.screen(user("secretariat@example.org"), note, "eligible", CHECKS, "")
    entry = db.session.scalar(
        sa.select(audit.AuditEntry).where(audit.AuditEntry.action == "concept_note.mark_eligible")
    )
    with force_locale(code):
        (row,) = audit.readable([entry])
        assert audit.sentence(row) == sentence.format(ref=note.reference)


def test_the_audit_csv_stays_in_english(app, db, client, login, user):
    note = make_note("UNDP", "applicant@example.org", submit=True, attach=True, title="CSV title")
    note_services.screen(user("secretariat@example.org"), note, "eligible", CHECKS, "")
    login("admin@example.org")
    with speaking(app, "fr"):
        page = html.unescape(client.get("/admin/audit?action=concept_note.mark_eligible").get_data(as_text=True))
        body = client.get("/admin/audit.csv?action=concept_note.mark_eligible").get_data(as_text=True)
    assert "a procédé à l'examen préalable de" in page
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0]["summary"] == f"Samuel Okoye screened {note.reference} ‘CSV title’ from submitted to eligible"


def _told(db, since: int) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for subject, email in db.session.execute(
        sa.select(Notification.subject, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id > since)
    ):
        found.setdefault(email, set()).add(subject)
    return found


def test_overdue_notices_reach_each_person_in_their_language_once(db, user, world):
    donor, lead = user("donor@example.org"), user("applicant2@example.org")  # kept at hand: the same objects
    donor.language, lead.language = "fr", "ar"
    before = db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0
    with clock.frozen(ON):
        sent = overdue.notify_overdue(ON)
    told = _told(db, before)
    with force_locale("fr"):
        owed = format_money(Decimal("200000.00"), "EUR")  # the money filter's rule, in French
    assert told["donor@example.org"] == {f"TEST-DEU-SCHEDULE : versement de {owed} en retard depuis le 30 juin 2026"}
    assert told["applicant2@example.org"] == {f"{world.jp1.reference}: التقرير المرحلي 2026-H1 متأخر منذ 31 يوليو 2026"}
    assert (
        f"{world.jp1.reference}: progress report 2026-H1 overdue since 31 Jul 2026" in told["secretariat@example.org"]
    )
    assert sent == {"instalment": 2, "report": 3, "tranche": 1}
    donor.language, lead.language = "es", None  # told already, whatever language they read now
    with clock.frozen(ON + timedelta(days=1)):
        assert overdue.notify_overdue(ON + timedelta(days=1)) == {"instalment": 0, "report": 0, "tranche": 0}


@pytest.mark.parametrize(
    ("code", "before", "after"),
    [("fr", "ouvert", "clôturé"), ("es", "abierto", "cerrado"), ("ar", "مفتوح", "مغلق")],
)
def test_a_months_states_are_named_by_their_labels(db, code, before, after):
    entry = audit.AuditEntry(
        action="accounting_period.close",
        object_type="accounting_period",
        object_id="2020-03",
        details='{"from": "open", "to": "closed", "reason": "12 ledger entries; figures stored"}',
    )
    with force_locale(code):
        (row,) = audit.readable([entry])
    assert row.change == (before, after)


def test_an_exchange_rate_change_is_shown_as_a_rate_and_a_name_as_written(db):
    rate = audit.AuditEntry(
        action="exchange_rate.set", object_type="exchange_rates", object_id="1", details='{"from": "0.9", "to": "0.91"}'
    )
    renamed = audit.AuditEntry(
        action="reference.renamed", object_type="thematic_areas", object_id="1", details='{"from": "a_b", "to": "C D"}'
    )
    with force_locale("fr"):
        rate_row, renamed_row = audit.readable([rate, renamed])
    assert rate_row.change == ("0,900000", "0,910000")
    assert renamed_row.change == ("a b", "C D")
