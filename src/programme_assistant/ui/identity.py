"""Who is asking: the owner of the conversations a request may see.

With a login (``PA_LOGIN_USERS``) the owner is the login user ("user:alice"), taken from the Basic
credentials the login middleware has already checked. Without one there is no identity to trust, so each
browser keeps a random id of its own (in its local storage) and an API client sends one in ``X-Client-Id``:
conversations are then kept apart per browser or client, as private as that id.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from programme_assistant.appdata.conversations import client_owner, user_owner
from programme_assistant.errors import ConfigError

CLIENT_HEADER = "x-client-id"


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(name, password) of an ``Authorization: Basic`` header; None when it is missing or not decodable."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        name, _, password = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return name, password


def basic_user(authorization: str | None) -> str | None:
    """The user name of an ``Authorization: Basic`` header (not checked here: the login middleware did)."""
    credentials = basic_credentials(authorization)
    return credentials[0] if credentials and credentials[0] else None


def owner_of(headers: Mapping[str, str], *, login: bool, client_id: str | None = None) -> str:
    """The owner for a request: the login user when there is a login, else the client's own id."""
    if login:
        user = basic_user(headers.get("authorization"))
        if user is None:  # the middleware lets nothing through without one; refuse rather than share
            raise ConfigError("the request carries no login user", "sign in again")
        return user_owner(user)
    client = client_id if client_id is not None else headers.get(CLIENT_HEADER, "")
    if not client:
        raise ConfigError(
            "conversations need a client id when the server has no login",
            "send a random id (e.g. a UUID) in the X-Client-Id header, the same one on every request",
        )
    return client_owner(client)
