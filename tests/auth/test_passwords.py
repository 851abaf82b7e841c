"""The password policy: length and zxcvbn's strength, with zxcvbn's advice in the message."""

import pytest

from fundapp.auth import passwords
from fundapp.auth.passwords import WeakPassword


@pytest.mark.parametrize(
    ("password", "advice"),
    [
        ("password12", "This is a very common password."),
        ("1234567890", "This is a top-100 common password."),
        ("qwertyuiop", "This is a top-100 common password."),
        ("Password123", "Capitalization doesn't help very much."),
    ],
)
def test_weak_passwords_are_refused_with_zxcvbns_advice(app, password, advice):
    with pytest.raises(WeakPassword) as refused:
        passwords.check_password_strength(password, ["someone@example.org", "Some One"])
    assert "Use at least 12 characters." in refused.value.message
    assert advice in refused.value.message
    assert refused.value.field == "new_password"


@pytest.mark.parametrize("password", ["passwordpassword", "qwertyuiop123456", "aaaaaaaaaaaaaaa", "123456789012"])
def test_long_but_guessable_passwords_are_refused(app, password):
    with pytest.raises(WeakPassword) as refused:
        passwords.check_password_strength(password, [])
    assert refused.value.message.startswith("This password is too easy to guess.")


def test_what_a_guesser_knows_about_the_person_makes_a_password_weak(app):
    passwords.check_password_strength("mwangijoseph", [])  # fine for a stranger
    with pytest.raises(WeakPassword, match="too easy to guess"):
        passwords.check_password_strength("mwangijoseph", ["joseph.mwangi@ilo.org", "Joseph Mwangi", "ILO"])


def test_the_published_demo_password_is_refused(app):
    with pytest.raises(WeakPassword, match="published with the demo"):
        passwords.check_password_strength("fundapp-demo", [])


@pytest.mark.parametrize("password", ["violet-harbour-tractor-57", "correct horse battery staple", "Kp8#vQ2!zL9m"])
def test_strong_passwords_pass(app, password):
    passwords.check_password_strength(password, ["someone@example.org"])


def test_the_field_named_by_the_caller_gets_the_message(app):
    with pytest.raises(WeakPassword) as refused:
        passwords.check_password_strength("short", [], field="password")
    assert refused.value.field == "password"


def test_an_unknown_account_costs_one_verification(app, monkeypatch):
    calls = []
    real = passwords.verify_hash
    monkeypatch.setattr(passwords, "verify_hash", lambda h, p: calls.append(h) or real(h, p))
    passwords.spend_one_verification("anything")
    assert len(calls) == 1
    assert calls[0].startswith("$argon2")
