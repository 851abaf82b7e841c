"""The pages offer an action only when it can succeed: who may act, and whether the programme's state allows it."""

from datetime import date

import pytest

from fundapp.programmes import permissions, services
from fundapp.programmes.workflow import ACTIVE, APPROVED, FINANCIALLY_CLOSED, OPERATIONALLY_CLOSED, PIPELINE
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import SECRETARIAT, make_programme

ACTIONS = {
    # predicate: states in which the secretariat is offered it
    permissions.can_edit_budget: {PIPELINE, APPROVED, ACTIVE, OPERATIONALLY_CLOSED},
    permissions.can_plan_tranche: {APPROVED, ACTIVE},
    permissions.can_record_spending: {ACTIVE, OPERATIONALLY_CLOSED},
    permissions.can_close_operationally: {ACTIVE},
    permissions.can_close_financially: {OPERATIONALLY_CLOSED},
}


@pytest.mark.parametrize("status", [PIPELINE, APPROVED, ACTIVE, OPERATIONALLY_CLOSED, FINANCIALLY_CLOSED])
def test_money_actions_follow_the_programme_state(db, status):
    programme = make_programme()
    programme.status = status
    for predicate, states in ACTIONS.items():
        assert predicate(user(SECRETARIAT), programme) is (status in states), predicate.__name__
        assert predicate(user("chair@example.org"), programme) is False, predicate.__name__
        assert predicate(user("applicant2@example.org"), programme) is False, predicate.__name__


def test_release_is_for_the_secretariat_and_a_blocked_tranche_for_the_chair(db):
    programme = make_programme()
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("ILO").id, date(2026, 1, 15), "1000.00")
    secretariat, chair = user(SECRETARIAT), user("chair@example.org")
    assert permissions.can_release_tranche(secretariat, tranche, blocked=False)
    assert not permissions.can_release_tranche(secretariat, tranche, blocked=True)
    assert permissions.can_release_tranche(chair, tranche, blocked=True)
    assert not permissions.can_release_tranche(chair, tranche, blocked=False)
    services.release_tranche(secretariat, tranche, date(2026, 1, 15))
    assert not permissions.can_release_tranche(secretariat, tranche, blocked=False)


def test_the_dossier_and_names_of_all_programmes(db):
    programme = make_programme()
    assert permissions.can_download_dossier(user("donor@example.org"), programme)
    assert permissions.can_download_dossier(user("applicant2@example.org"), programme)  # UNICEF, the lead
    assert not permissions.can_download_dossier(user("applicant@example.org"), programme)  # UNDP, outside
    assert not permissions.can_download_dossier(user("admin@example.org"), programme)
    assert permissions.can_view_all(user("donor@example.org"))
    assert not permissions.can_view_all(user("applicant2@example.org"))
