"""API test helpers: a bearer header for a demo user (a real token, created through the service)."""

import sqlalchemy as sa

from fundapp.api import tokens
from fundapp.auth.models import User
from fundapp.core.extensions import db


def bearer(email: str, name: str = "test") -> dict[str, str]:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user is not None, email
    _row, token = tokens.create_token(user, name)
    db.session.commit()  # a view's rollback must not undo the token
    return {"Authorization": f"Bearer {token}"}
