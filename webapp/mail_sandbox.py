"""The sandbox in which mail templates (organizers may edit them) are rendered.

Jinja's sandbox keeps a template away from Python's internals; this one also bounds what a
template can cost: ``range()`` is small, a text or list cannot be multiplied past
``MAX_RENDERED``, and rendering stops once the output passes ``MAX_RENDERED`` characters.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

#: The most characters a rendered subject or body may have; a longer one is refused (at save)
#: or replaced by the default text (at send).
MAX_RENDERED = 50_000
#: The most items a ``range()`` in an edited template may have.
MAX_RANGE = 100


class _MailSandbox(SandboxedEnvironment):
    """The sandbox for organizers' templates, also bounded in time and size: no huge ranges, no
    string or list multiplied past ``MAX_RENDERED``, no power operator."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("the power operator is not available in mail templates")
        sized, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
        if (
            operator == "*"
            and isinstance(sized, str | list | tuple)
            and isinstance(count, int)
            and len(sized) * count > MAX_RENDERED
        ):
            raise SecurityError("the template makes a text too long for a mail")
        return super().call_binop(context, operator, left, right)


def _small_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() in a mail template has at most {MAX_RANGE} items")
    return numbers


_env = _MailSandbox(autoescape=False, keep_trailing_newline=True)
_env.globals["range"] = _small_range


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Any:
    """Compiling a template costs far more than rendering it: once per distinct text."""
    return _env.from_string(source)


def render_text(source: str, context: dict[str, Any]) -> str:
    """``source`` rendered, read piece by piece and refused past ``MAX_RENDERED`` characters."""
    pieces, size = [], 0
    for piece in _compiled(source).generate(**context):
        size += len(piece)
        if size > MAX_RENDERED:
            raise SecurityError(f"the template renders more than {MAX_RENDERED:,} characters")
        pieces.append(piece)
    return "".join(pieces)
