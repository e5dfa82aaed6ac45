"""Email addresses: one normalisation for every form, limit and look-up (the pinned
``email-validator`` does the work; nothing here parses an address by hand).

- ``normalise``: the form stored and mailed. The domain is case-folded and IDNA-encoded
  (``ｅxample.org`` is ``example.org``; ``Bücher.example`` and ``xn--bcher-kva.example`` are both
  ``xn--bcher-kva.example``), the local part is kept as typed (it may be case-sensitive). A
  non-ASCII local part is refused unless ``MAIL_SMTPUTF8`` says the mail server takes it.
- ``key``: the address as limits and look-ups count it: the normalised address with the local
  part case-folded (NFKC first) and its ``+tag`` dropped, so ``X+1@example.org`` and
  ``x+2@EXAMPLE.org`` are one person. Only for counting and finding: mail goes to the address
  on file.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError

MAX_LENGTH = 254
#: What every form says of an address longer than that (one message, beside the field).
TOO_LONG_ADDRESS = f"An email address has at most {MAX_LENGTH} characters."


class AddressInvalid(ValueError):
    """Not an address we can mail; the message says what to change."""


def _smtputf8_default() -> bool:
    try:
        from flask import current_app

        return bool(current_app.config.get("MAIL_SMTPUTF8"))
    except RuntimeError:  # outside an app: the default, off
        return False


def normalise(address: str, smtputf8: bool | None = None) -> str:
    """The address's stored form, or ``AddressInvalid`` with a message for the person."""
    allow = _smtputf8_default() if smtputf8 is None else smtputf8
    text = (address or "").strip()
    if not text:
        raise AddressInvalid("Give an email address.")
    try:
        found = validate_email(text, check_deliverability=False, allow_smtputf8=allow)
    except EmailNotValidError as exc:
        message = str(exc)
        if "before the @-sign are not supported" in message:
            message = (
                "Our mail server cannot deliver to an address with characters other than "
                "plain ASCII letters, digits and punctuation before the @; please give "
                "another address."
            )
        raise AddressInvalid(message) from None
    normal = f"{found.local_part}@{found.ascii_domain}"
    if len(normal) > MAX_LENGTH:
        raise AddressInvalid(f"At most {MAX_LENGTH} characters.")
    return normal


def key(address: str) -> str:
    """The counting key of ``address`` (any address we stored: non-ASCII local parts too)."""
    local, _, domain = normalise(address, smtputf8=True).rpartition("@")
    local = unicodedata.normalize("NFKC", local).casefold()
    local = local.split("+", 1)[0] or local
    return f"{local}@{domain}"[:MAX_LENGTH]


def key_or_none(address: str) -> str | None:
    try:
        return key(address)
    except AddressInvalid:
        return None


class Address:
    """A WTForms validator: the field must hold an address we can mail; its data becomes the
    normalised form."""

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data or field.errors:  # one message: an earlier validator's says it
            return
        try:
            field.data = normalise(field.data)
        except AddressInvalid as exc:
            raise ValidationError(str(exc)) from None
