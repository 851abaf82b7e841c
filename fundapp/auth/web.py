"""Request helpers shared by the account pages of auth and home: who is asking, and from where."""

from flask import request

from fundapp.auth.sessions import Client


def client() -> Client:
    """The request's address (after TRUSTED_PROXIES) and browser, as plain values for the services."""
    return Client(request.remote_addr, request.user_agent.string)
