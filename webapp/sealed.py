"""Text sealed at rest with a key derived from ``SECRET_KEY`` (Fernet: AES-128-CBC + HMAC).

The outbox seals the body of every message it queues, because a body holds a working private
link until it is sent (``webapp.mail``). The key is derived with HKDF-SHA256 from
``SECRET_KEY`` and a fixed label, so it changes with the secret key: messages still unsent when
the secret key changes can no longer be opened (they fail with a message that says so).
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "sealed:v1:"


class Unreadable(ValueError):
    """Sealed text that this key cannot open (the secret key changed, or the text was altered)."""


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"cadence outbox bodies v1"
    ).derive(secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _current() -> Fernet:
    return _fernet(str(current_app.config["SECRET_KEY"]))


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


def seal(text: str) -> str:
    return PREFIX + _current().encrypt(text.encode("utf-8")).decode("ascii")


def unseal(text: str) -> str:
    """The plain text of ``text``; text that was never sealed comes back as it is."""
    if not is_sealed(text):
        return text
    try:
        return _current().decrypt(text[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise Unreadable(
            "the message body cannot be decrypted (was SECRET_KEY changed since it was queued?)"
        ) from exc
