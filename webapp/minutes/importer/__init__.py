"""Read minutes written in Markdown (the community's own notes, or Cadence's export).

The shapes it reads are documented in the README ("Importing minutes"). ``parse`` is pure (text
in, ``Parsed`` out, ``ImportProblem`` naming the line on bad input); ``apply`` writes one parsed
file through the services and flushes; the CLI commits per file.
"""

from __future__ import annotations

from webapp.minutes.importer.apply import Outcome, apply, import_text
from webapp.minutes.importer.model import ImportProblem, ImportProblems, NoMeetingDate, Parsed
from webapp.minutes.importer.parse import parse
from webapp.minutes.importer.reading import read_text

__all__ = [
    "ImportProblem",
    "ImportProblems",
    "NoMeetingDate",
    "Outcome",
    "Parsed",
    "apply",
    "import_text",
    "parse",
    "read_text",
]
