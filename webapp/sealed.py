"""Text sealed at rest with keys derived from ``SECRET_KEY`` (Fernet: AES-128-CBC + HMAC).

The outbox seals the context (and, for rows queued before contexts, the body) of every message
it queues, because it holds a working private link until it is sent (``webapp.mail``). Each key
is derived with HKDF-SHA256 from a secret key and a fixed label. Text is sealed with the key of
``SECRET_KEY`` and opened with it or with the key of any of ``SECRET_KEY_FALLBACKS`` (Flask's own
setting, which also keeps old session cookies and open forms valid): a ``MultiFernet``. After a
rotation, ``flask outbox reseal`` (``reseal``) seals the queue, subscribers and the tokens of
private calendar addresses again under the new key, so the fallback can be removed.

``lookup_hash`` is a keyed hash (HMAC-SHA256 with another key derived from the secret key) for
values that must be found without being stored in clear (subscribers' addresses); the reseal
stores it again under the current key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "sealed:v1:"


class Unreadable(ValueError):
    """Sealed text that no key opens (the secret key changed without a fallback, or the text
    was altered)."""


@functools.lru_cache(maxsize=16)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"cadence outbox bodies v1"
    ).derive(secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


@functools.lru_cache(maxsize=16)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(key) for key in keys])


def _current() -> MultiFernet:
    """The current key first (it seals), then the fallbacks (they only open)."""
    config = current_app.config
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    return _multi((str(config["SECRET_KEY"]), *(str(k) for k in fallbacks)))


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


def seal(text: str) -> str:
    return PREFIX + _current().encrypt(text.encode("utf-8")).decode("ascii")


def _token(text: str) -> bytes:
    return text[len(PREFIX) :].encode("ascii")


def unseal(text: str, keys: tuple[str, ...] | None = None) -> str:
    """The plain text of ``text``; text that was never sealed comes back as it is. ``keys``
    (secret keys, outside an app) instead of the app's key and fallbacks."""
    if not is_sealed(text):
        return text
    try:
        multi = _multi(keys) if keys else _current()
        return multi.decrypt(_token(text)).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise Unreadable(
            "the message cannot be decrypted: no key opens it (was SECRET_KEY changed without "
            "keeping the old one in SECRET_KEY_FALLBACKS until `flask outbox reseal` ran?)"
        ) from exc


def reseal(text: str) -> str:
    """``text`` sealed under the current key (it may have been sealed under a fallback)."""
    if not is_sealed(text):
        return seal(text)
    try:
        return PREFIX + _current().rotate(_token(text)).decode("ascii")
    except InvalidToken as exc:
        raise Unreadable("the message cannot be decrypted: no key opens it") from exc


@functools.lru_cache(maxsize=16)
def _lookup_key(secret_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"cadence address lookup v1"
    ).derive(secret_key.encode("utf-8"))


def _secret_keys() -> tuple[str, ...]:
    config = current_app.config
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    return (str(config["SECRET_KEY"]), *(str(k) for k in fallbacks))


def lookup_hashes(text: str) -> list[str]:
    """Keyed hashes (HMAC-SHA256, hex) of ``text`` under the key of ``SECRET_KEY`` (first: the
    one to store) and of each fallback (rows stored before a rotation until they are re-sealed):
    a stored value can be found and kept unique without being stored in clear."""
    data = text.encode("utf-8")
    return [hmac.new(_lookup_key(key), data, hashlib.sha256).hexdigest() for key in _secret_keys()]


def lookup_hash(text: str) -> str:
    """The keyed hash of ``text`` to store (under ``SECRET_KEY``)."""
    return lookup_hashes(text)[0]
