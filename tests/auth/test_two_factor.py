"""Two-factor sign-in: TOTP from the shared secret, recovery codes, the requirement per role."""

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from fundapp.auth import services, sessions, two_factor
from fundapp.auth.models import RecoveryCode
from fundapp.auth.sessions import Client
from fundapp.core import clock
from fundapp.core.errors import DomainError, NotAllowed
from tests.auth.helpers import code_now, enable_two_factor, next_code, sign_in

HOME = Client("192.0.2.10", "pytest")


def test_setup_takes_effect_only_with_a_code_from_the_app(db, user):
    account = user("applicant3@example.org")
    secret = two_factor.pending_secret(account)
    assert two_factor.pending_secret(account) == secret  # the same QR code on a reload
    with pytest.raises(two_factor.WrongCode):
        two_factor.confirm_setup(account, "000000" if code_now(pyotp.TOTP(secret)) != "000000" else "111111")
    assert not account.has_two_factor
    codes = two_factor.confirm_setup(account, code_now(pyotp.TOTP(secret)))
    assert account.has_two_factor
    assert account.totp_pending_secret is None
    assert len(codes) == two_factor.RECOVERY_CODES == len(set(codes))
    assert all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", c) for c in codes)
    stored = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == account.id)))
    assert stored == {two_factor.hash_code(c) for c in codes}
    assert not {c.replace("-", "") for c in codes} & stored


def test_the_qr_code_is_made_here_as_an_svg_data_uri(db, user):
    account = user("applicant3@example.org")
    page = two_factor.setup_page(account, two_factor.pending_secret(account))
    assert page["qr"].startswith("data:image/svg+xml")
    assert page["uri"].startswith("otpauth://totp/fundapp:applicant3%40example.org?secret=")
    assert page["secret"].replace(" ", "") == account.totp_pending_secret


def test_a_code_is_good_once_and_only_around_now(db, user):
    account = user("applicant3@example.org")
    totp, _codes = enable_two_factor(account)
    assert two_factor.check_code(account, code_now(totp)) is None  # used by the set-up: never twice
    assert two_factor.check_code(account, next_code(totp)) == "totp"
    assert two_factor.check_code(account, next_code(totp)) is None
    now = clock.now().timestamp()
    assert two_factor.check_code(account, totp.at(now + 120)) is None  # too far ahead


def test_recovery_codes_work_once_each(db, user):
    account = user("applicant3@example.org")
    _totp, codes = enable_two_factor(account)
    assert two_factor.check_code(account, codes[0].upper().replace("-", " ")) == "recovery"
    assert two_factor.check_code(account, codes[0]) is None
    assert two_factor.recovery_codes_left(account) == len(codes) - 1
    fresh = two_factor.regenerate_recovery_codes(account)
    assert two_factor.check_code(account, codes[1]) is None  # the old set stopped
    assert two_factor.check_code(account, fresh[0]) == "recovery"


def test_turning_it_off_is_refused_when_the_role_requires_it(db, user, two_factor_required):
    member = user("member2@example.org")
    enable_two_factor(member)
    with pytest.raises(NotAllowed):
        services.disable_two_factor(member, "fundapp-demo")
    donor = user("donor2@example.org")
    enable_two_factor(donor)
    with pytest.raises(DomainError):
        services.disable_two_factor(donor, "wrong")
    services.disable_two_factor(donor, "fundapp-demo")
    assert not donor.has_two_factor
    assert two_factor.recovery_codes_left(donor) == 0


def test_an_administrator_resets_a_lost_second_factor(db, user):
    account = user("applicant3@example.org")
    enable_two_factor(account)
    key = sessions.start_session(account, HOME)
    services.reset_two_factor(user("admin@example.org"), account)
    assert not account.has_two_factor
    assert sessions.user_for_session(key) is None
    with pytest.raises(DomainError):
        services.reset_two_factor(user("admin@example.org"), account)


# Sign-in ---------------------------------------------------------------------------------------


def test_with_a_second_factor_the_password_alone_signs_nobody_in(db, user):
    account = user("applicant3@example.org")
    totp, _codes = enable_two_factor(account)
    first = services.authenticate("applicant3@example.org", "fundapp-demo", HOME)
    assert first.ok
    assert first.step == "code"
    assert sessions.user_for_session(first.key) is None
    wrong = services.check_second_factor(first.key, "123456" if next_code(totp) != "123456" else "654321", HOME)
    assert not wrong.ok
    assert not wrong.restart
    done = services.check_second_factor(first.key, next_code(totp), HOME)
    assert done.ok
    assert sessions.user_for_session(first.key) == account


def test_five_wrong_codes_end_the_sign_in(db, user):
    account = user("applicant3@example.org")
    enable_two_factor(account)
    start = clock.now()
    first = services.authenticate("applicant3@example.org", "fundapp-demo", HOME)
    results = []
    for i in range(sessions.MAX_CODE_FAILURES):  # spread out: the per-address waits are tested elsewhere
        with clock.frozen(start + timedelta(seconds=60 * i)):
            results.append(services.check_second_factor(first.key, "99999999", HOME))
    assert [r.restart for r in results] == [False] * (sessions.MAX_CODE_FAILURES - 1) + [True]
    assert "Too many wrong codes" in results[-1].message
    assert services.check_second_factor(first.key, "99999999", HOME).restart


def test_wrong_codes_slow_the_address_down_like_wrong_passwords(db, user):
    account = user("applicant3@example.org")
    enable_two_factor(account)
    with clock.frozen(clock.now()):
        first = services.authenticate("applicant3@example.org", "fundapp-demo", HOME)
        for _ in range(3):
            services.check_second_factor(first.key, "99999999", HOME)
        assert services.check_second_factor(first.key, "99999999", HOME).retry_after == 5


def test_a_required_second_factor_is_set_up_right_after_the_password(db, user, two_factor_required):
    first = services.authenticate("secretariat@example.org", "fundapp-demo", HOME)
    assert first.step == "setup"
    assert sessions.user_for_session(first.key) is None
    setup = services.pending_setup(first.key)
    account, codes = services.complete_setup(first.key, code_now(pyotp.TOTP(setup.secret)), HOME)
    assert account.has_two_factor
    assert len(codes) == 10
    assert sessions.user_for_session(first.key) == account


def test_roles_without_the_requirement_sign_in_with_the_password(db, two_factor_required):
    assert services.authenticate("donor@example.org", "fundapp-demo", HOME).step is None


# Through the pages -----------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(client, user, db):
    totp, _codes = enable_two_factor(user("applicant4@example.org"))
    response = sign_in(client, "applicant4@example.org")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/applicant").headers["Location"].startswith("/login")  # not signed in yet
    assert "Authentication code" in client.get("/login/code").get_data(as_text=True)
    wrong = client.post("/login/code", data={"code": "000000" if next_code(totp) != "000000" else "111111"})
    assert wrong.status_code == 401
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert client.post("/login/code", data={"code": next_code(totp)}).headers["Location"] == "/applicant"
    assert client.get("/applicant").status_code == 200


def test_a_recovery_code_signs_in_and_says_how_many_are_left(client, user):
    _totp, codes = enable_two_factor(user("applicant4@example.org"))
    sign_in(client, "applicant4@example.org")
    response = client.post("/login/code", data={"code": codes[3]}, follow_redirects=True)
    assert "9 left" in response.get_data(as_text=True)


def test_the_code_page_without_a_pending_sign_in_goes_back_to_sign_in(client):
    response = client.get("/login/code")
    assert response.headers["Location"] == "/login"


def test_required_set_up_page_then_recovery_codes_then_home(client, two_factor_required):
    assert sign_in(client, "chair@example.org").headers["Location"] == "/login/two-factor"
    page = client.get("/login/two-factor")
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in text
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', text).group(1).replace(" ", "")
    assert client.post("/login/two-factor", data={"code": "12345"}).status_code == 422
    done = client.post("/login/two-factor", data={"code": code_now(pyotp.TOTP(secret))})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    assert done.get_data(as_text=True).count("<li><code>") == 10
    assert client.get("/committee").status_code == 200


def test_profile_sets_up_two_factor_with_the_password_again(client, login, db):
    account = login("donor12@example.org")
    page = client.get("/profile/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    code = code_now(pyotp.TOTP(secret))
    refused = client.post("/profile/two-factor", data={"code": code, "current_password": "wrong"})
    assert refused.status_code == 422
    assert "Your password is not correct." in refused.get_data(as_text=True)
    done = client.post("/profile/two-factor", data={"code": code, "current_password": "fundapp-demo"})
    assert done.status_code == 200
    assert "Your recovery codes" in done.get_data(as_text=True)
    db.session.refresh(account)
    assert account.has_two_factor


def test_profile_turns_it_off_and_renews_codes_with_the_password(client, login, db):
    account = login("donor12@example.org")
    enable_two_factor(account)
    assert client.post("/profile/two-factor/recovery-codes", data={"codes-current_password": "x"}).status_code == 422
    renewed = client.post("/profile/two-factor/recovery-codes", data={"codes-current_password": "fundapp-demo"})
    assert renewed.get_data(as_text=True).count("<li><code>") == 10
    off = client.post("/profile/two-factor/off", data={"off-current_password": "fundapp-demo"})
    assert off.status_code == 302
    db.session.refresh(account)
    assert not account.has_two_factor


def test_an_administrator_resets_a_users_second_factor_from_the_page(client, login, user, db):
    target = user("applicant4@example.org")
    enable_two_factor(target)
    login("admin@example.org")
    assert "Reset two-factor sign-in" in client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert client.post(f"/admin/users/{target.id}/two-factor/reset").status_code == 302
    db.session.refresh(target)
    assert not target.has_two_factor
