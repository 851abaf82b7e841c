"""The audit log's filter choices come from a loose index scan (one index seek per distinct value, not a read of
the whole log): the same values, in the same order, as a DISTINCT over every row."""

import sqlalchemy as sa

from fundapp.core.audit import record_change
from fundapp.core.models import AuditEntry
from fundapp.home import services


def test_the_choices_are_every_distinct_action_and_object_type_in_order(db, user):
    admin = user("admin@example.org")
    for action, object_type in [("zz.last", "zz_things"), ("aa.first", "aa_things"), ("aa.first", "zz_things")]:
        record_change(admin, action, object_type, 1)
    for column, found in [
        (AuditEntry.action, services.audit_actions()),
        (AuditEntry.object_type, services.audit_object_types()),
    ]:
        assert found == list(db.session.scalars(sa.select(column).distinct().order_by(column)))
    assert services.audit_actions()[0] <= "aa.first"
    assert "zz.last" in services.audit_actions()
    assert len(set(services.audit_object_types())) == len(services.audit_object_types())
