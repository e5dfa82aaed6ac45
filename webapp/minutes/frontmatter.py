"""YAML front matter, written by hand and read back: a small, deterministic subset of YAML.

Written: ``key: value`` lines in sorted key order; every string is a JSON string (which is also a
YAML double-quoted scalar, so any YAML reader agrees); lists as block sequences (``  - item``), each
item a scalar or a one-line JSON object (a YAML flow mapping); empty lists as ``[]``.

Read: the same, plus plain unquoted scalars (``date: 2019-02-07``), single-quoted strings,
comments and blank lines — enough for front matter typed by a person. Anything else is refused
with the line it is on.
"""

from __future__ import annotations

import json
import re
from typing import Any

FENCE = "---"
# Patterns over a prefix only, the rest stripped in Python: no lazy group before a trailing \s*,
# which backtracks quadratically on a long line of spaces.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?=\s|$)")
_ITEM = re.compile(r"\s+-(?=\s)")


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def dump(data: dict[str, Any]) -> str:
    """``data`` as front matter between ``---`` fences, keys sorted, ending with a newline."""
    lines = [FENCE]
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list | tuple):
            if not value:
                lines.append(f"{key}: []")
                continue
            lines.append(f"{key}:")
            lines.extend(f"  - {_scalar(item)}" for item in value)
        else:
            lines.append(f"{key}: {_scalar(value)}")
    lines.append(FENCE)
    return "\n".join(lines) + "\n"


def _value(text: str, line: int) -> Any:
    if text == "" or text in {"~", "null"}:
        return None
    if text[0] in '"{[' or text in {"true", "false"} or re.fullmatch(r"-?\d+", text):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(
                line, f"front matter: cannot read {text!r} ({exc.msg})"
            ) from None
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise FrontMatterError(line, f"front matter: unterminated quoted string {text!r}")
        return text[1:-1].replace("''", "'")
    return text


def split(text: str) -> tuple[dict[str, Any] | None, dict[str, int], str, int]:
    """(front matter or None, line number of each key, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        return None, {}, text, 1
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == FENCE)
    except StopIteration:
        raise FrontMatterError(1, "front matter starts with --- but never ends with ---") from None
    data: dict[str, Any] = {}
    where: dict[str, int] = {}
    current: str | None = None
    for index in range(1, end):
        number = index + 1
        raw = lines[index]
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        item = _ITEM.match(raw)
        if item and current is not None and raw[item.end() :].strip():
            data[current].append(_value(raw[item.end() :].strip(), number))
            continue
        key = _KEY.match(raw)
        if not key:
            raise FrontMatterError(
                number,
                f"front matter: cannot read {raw.strip()[:80]!r} "
                "(expected 'key: value' or '  - item')",
            )
        name, value = key.group(1), raw[key.end() :].strip()
        where[name] = number
        if value == "":
            data[name], current = [], name
        else:
            data[name], current = _value(value, number), None
    return data, where, "\n".join(lines[end + 1 :]), end + 2
