"""Reading a file as text: UTF-8 only, line endings normalised, problems named by line."""

from __future__ import annotations

from pathlib import Path

from webapp.minutes.importer.model import ImportProblem


def read_text(path: Path) -> str:
    """The file as text with normalised line endings; ImportProblem when it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportProblem(0, "cannot read the file: it does not exist") from None
    except IsADirectoryError:
        raise ImportProblem(0, "cannot read the file: it is a directory") from None
    except OSError as exc:
        raise ImportProblem(0, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportProblem(
            line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)"
        ) from None
    return normalise(text)


def normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
