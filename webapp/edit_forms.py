"""Edit forms pre-filled from what is stored, one way.

WTForms fills a field from ``obj=`` before it looks at explicit values, and an object's attribute
of the same name as a field wins even when it is a related object: ``submission.format`` (a
``SessionFormat``) took the place of the ``format=`` id given beside it, so a speaker's edit
preselected the first format and no track. Every edit form is therefore built with
``edit_form(FormClass, stored)``: ``stored`` names each field's stored value in the field's own
shape (an id for a select, text for a list kept as lines), and a field left out of it is a
programming error, raised on the first GET (each edit form has a test that posts it unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from wtforms import Form

F = TypeVar("F", bound=Form)

#: Fields that carry no stored value.
NOT_STORED = frozenset({"CSRFTokenField", "SubmitField"})


class FormNotFilled(LookupError):
    """An edit form was built without the stored value of one of its fields."""


def edit_form(form_cls: type[F], stored: Mapping[str, Any], **kwargs: Any) -> F:
    """``form_cls`` filled from ``stored`` on GET; on POST the posted values win, as always."""
    form = form_cls(data=dict(stored), **kwargs)
    missing = [f.name for f in form if f.type not in NOT_STORED and f.name not in stored]
    if missing:
        raise FormNotFilled(f"{form_cls.__name__}: no stored value for {', '.join(missing)}")
    return form
