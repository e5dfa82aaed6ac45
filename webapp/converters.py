"""URL converters for every route: no NUL or control character in a path segment, no integer
the database cannot hold.

Werkzeug's converters accept any character but ``/`` and any number of digits. PostgreSQL refuses
a NUL byte in text and an integer beyond its column's range with an error, which a view would
turn into a 500; these converters make such a URL match no route, so the answer is a 404.
:class:`CadenceMap` replaces the ``default``, ``string``, ``path`` and ``int`` converters app-wide
(including the static route, which Flask adds before any blueprint).
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import ImmutableDict
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter
from werkzeug.routing.converters import ValidationError

#: The largest id an ``INTEGER`` column holds (PostgreSQL's int4; SQLite's ids fit in it too).
MAX_DB_INT = 2**31 - 1

_NO_CONTROL = r"\x00-\x1f\x7f"


class SafeString(UnicodeConverter):
    """One path segment without control characters."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", f"[^/{_NO_CONTROL}]")


class SafePath(PathConverter):
    """Several path segments without control characters."""

    regex = f"[^/{_NO_CONTROL}][^{_NO_CONTROL}]*?"


class BoundedInt(IntegerConverter):
    """An integer an ``INTEGER`` id column can hold; longer or larger numbers match nothing."""

    def to_python(self, value: str) -> Any:
        if len(value) > len(str(MAX_DB_INT)) + 1:  # also spares int() a 10,000-digit string
            raise ValidationError()
        number = super().to_python(value)
        if not -MAX_DB_INT - 1 <= number <= MAX_DB_INT:
            raise ValidationError()
        return number


class CadenceMap(Map):
    default_converters = ImmutableDict(
        {
            **Map.default_converters,
            "default": SafeString,
            "string": SafeString,
            "path": SafePath,
            "int": BoundedInt,
        }
    )


def positive_int(text: str | None) -> int | None:
    """A query argument such as ``?page=3`` as a number from 1 up, or None.

    ASCII digits only: ``str.isdigit`` also says yes to "²" and to 5,000 digits, which ``int``
    then refuses with a ValueError (a 500).
    """
    if not text or not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    value = int(text)
    return value if value > 0 else None
