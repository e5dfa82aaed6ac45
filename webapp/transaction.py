"""The one place a request's change is committed (or rolled back and explained).

A POST view parses its form, then hands the change to :func:`commit_or_show`: the service runs and
flushes, the session commits once, and the view redirects. When the service refuses (a domain
error, a ``ValueError`` subclass) or the database refuses the commit (someone else saved first),
the session is rolled back and the message is put beside the form field it concerns, or on the
form, or flashed, so the view re-renders or redirects with it. Views hold no rollback code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db

T = TypeVar("T")

#: Shown when the commit itself is refused by a constraint: two requests raced.
RACE_MESSAGE = "Someone else saved this at the same moment; reload the page and try again."


@dataclass
class Outcome(Generic[T]):
    """What happened: ``ok`` with the service's ``value``, or not with the ``error`` shown."""

    value: T | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def show_error(message: str, form: Any = None, field: str | None = None) -> None:
    """Put ``message`` beside ``form.<field>``, on the form, or (without a form) in a flash."""
    if form is not None:
        target = getattr(form, field, None) if field else None
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)
    else:
        flash(message, "error")


def commit_or_show(
    change: Callable[[], T],
    *,
    form: Any = None,
    field: str | None = None,
    refused: tuple[type[Exception], ...] = (ValueError,),
    race_message: str = RACE_MESSAGE,
) -> Outcome[T]:
    """Run ``change`` (a service call that flushes), commit once; on refusal roll back and show."""
    try:
        value = change()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        show_error(race_message, form, field)
        return Outcome(error=race_message)
    except refused as exc:
        db.session.rollback()
        message = str(exc)
        show_error(message, form, field)
        return Outcome(error=message)
    return Outcome(value=value)
