"""Reading a file as text: UTF-8 only, line endings normalised, problems named by line.

Every problem of the file is reported (each undecodable line, each over-long line), each with
its line number; nothing here takes more than one pass over the bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from webapp import plaintext
from webapp.minutes.importer.model import MAX_LINE, ImportProblem, ImportProblems


def read_bytes(path: Path) -> bytes:
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        # An undecodable byte in the name reaches Python as a lone surrogate (surrogateescape),
        # which no database, page or feed can take: refuse the file by name, not by traceback.
        byte = ord(name[exc.start]) & 0xFF
        message = f"the file name is not UTF-8 text (byte 0x{byte:02x}): rename the file"
        raise ImportProblem(0, message) from None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportProblem(0, "cannot read the file: it does not exist") from None
    except IsADirectoryError:
        raise ImportProblem(0, "cannot read the file: it is a directory") from None
    except OSError as exc:
        raise ImportProblem(0, f"cannot read the file: {exc.strerror or exc}") from None


def decode(raw: bytes) -> str:
    """``raw`` as text with normalised line endings, or ``ImportProblems`` naming every bad line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems = []
        for number, line in enumerate(raw.split(b"\n"), start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                byte = line[exc.start]
                message = f"not UTF-8 text (byte 0x{byte:02x} cannot be decoded)"
                problems.append(ImportProblem(number, message))
        raise ImportProblems(problems) from None
    return normalise(text)


#: Control characters no page, feed or database should receive (tab and line feed are text).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_lines(text: str) -> None:
    """An empty file, over-long lines or control characters: ``ImportProblems``."""
    if not text.strip():
        raise ImportProblems([ImportProblem(1, "the file is empty")])
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE:
            message = f"the line has {len(line):,} characters (at most {MAX_LINE:,} per line)"
            problems.append(ImportProblem(number, message))
        elif found := CONTROL.search(line):
            message = f"the line holds a control character (0x{ord(found.group()):02x})"
            problems.append(ImportProblem(number, message))
        elif (hidden := plaintext.hidden_in(line)) is not None:
            message = f"the line holds the invisible character {plaintext.describe(hidden)}"
            problems.append(ImportProblem(number, message))
    if problems:
        raise ImportProblems(problems)


def read_text(path: Path) -> str:
    """The file as text with normalised line endings; ImportProblem(s) when it cannot be read."""
    return decode(read_bytes(path))


def normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
