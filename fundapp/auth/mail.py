"""Account emails (invitations, password resets, notices) and the links they carry.

auth sits below notifications, so it asks for the email through the `account_email` signal; the
outbox queues it in this transaction and sends it after the commit, then blanks its body (the link
is a key to an account). Links start with PUBLIC_BASE_URL, never with the request's Host header,
which the client chooses (a forged Host would otherwise send a victim's reset link elsewhere).
"""

from flask import current_app

from fundapp.core import signals


def public_url(endpoint: str, **values: str) -> str:
    """The absolute URL of a page for an email: PUBLIC_BASE_URL and the route's path."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{base}{path}"


def send(to: str, subject: str, body: str) -> bool:
    """Queue the email; False when this instance sends no mail (MAIL_SERVER is not set)."""
    return bool(signals.answers(signals.account_email, to, subject=subject, body=body))
