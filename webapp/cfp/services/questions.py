"""Custom questions of a conference's call for papers, beyond the fixed fields.

Organizers write them one per line in the conference settings:

    kind | required or optional | reviewers, organizers or public | the question | choices

``kind`` is text, long text, choice, choices, yes/no or url; choices (for choice and choices) are
separated by ``;``. Questions are matched by their text, so editing the list keeps the answers of
the questions it keeps. Answers live in ``Submission.answers`` keyed by the question's id; the
form and the services check them by the same rules (``check_answers``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webapp.cfp.services.errors import CfpError
from webapp.models import QUESTION_VISIBILITY, Conference, CustomQuestion, Submission

KIND_WORDS = {
    "text": "text",
    "long text": "long_text",
    "choice": "choice",
    "choices": "choices",
    "yes/no": "yes_no",
    "url": "url",
}
WORD_OF_KIND = {v: k for k, v in KIND_WORDS.items()}
TEXT_LIMIT = {"text": 500, "long_text": 5000, "url": 500}
MAX_QUESTIONS = 30
YES_NO = ("yes", "no")


@dataclass
class QuestionSpec:
    text: str
    kind: str
    required: bool
    visibility: str
    choices: list[str] = field(default_factory=list)


def parse_question(line: str) -> QuestionSpec:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) not in (4, 5):
        raise CfpError(
            f"Question {line.strip()[:40]!r} should look like "
            "'choice | required | reviewers | Audience level? | Beginner; Expert'."
        )
    kind = KIND_WORDS.get(parts[0].lower())
    if kind is None:
        raise CfpError(f"Question kind {parts[0]!r}: one of {', '.join(KIND_WORDS)}.")
    if parts[1].lower() not in ("required", "optional"):
        raise CfpError(f"Question {parts[3][:40]!r}: say 'required' or 'optional'.")
    visibility = parts[2].lower()
    if visibility not in QUESTION_VISIBILITY:
        raise CfpError(f"Question {parts[3][:40]!r}: shown to {', '.join(QUESTION_VISIBILITY)}.")
    text = parts[3]
    if not text or len(text) > 300:
        raise CfpError("A question needs its text, at most 300 characters.")
    choices = [c.strip() for c in (parts[4] if len(parts) == 5 else "").split(";") if c.strip()]
    if kind in ("choice", "choices") and len(choices) < 2:
        raise CfpError(f"Question {text[:40]!r}: give at least two choices, separated by ';'.")
    if kind not in ("choice", "choices") and choices:
        raise CfpError(f"Question {text[:40]!r}: only a choice has choices.")
    if len(set(choices)) != len(choices) or any(len(c) > 100 for c in choices):
        raise CfpError(f"Question {text[:40]!r}: choices differ and have at most 100 characters.")
    return QuestionSpec(text, kind, parts[1].lower() == "required", visibility, choices)


def parse_questions(text: str) -> list[QuestionSpec]:
    found = [parse_question(line) for line in text.splitlines() if line.strip()]
    if len(found) > MAX_QUESTIONS:
        raise CfpError(f"At most {MAX_QUESTIONS} questions.")
    if len({q.text.lower() for q in found}) != len(found):
        raise CfpError("Two questions have the same text.")
    return found


def questions_text(conference: Conference) -> str:
    return "\n".join(
        " | ".join(
            [
                WORD_OF_KIND[q.kind],
                "required" if q.required else "optional",
                q.visibility,
                q.text,
                *(["; ".join(q.choices)] if q.choices else []),
            ]
        )
        for q in conference.questions
    )


def sync_questions(conference: Conference, specs: list[QuestionSpec]) -> None:
    by_text = {q.text: q for q in conference.questions}
    kept = []
    for pos, spec in enumerate(specs):
        q = by_text.pop(spec.text, None) or CustomQuestion(text=spec.text)
        q.kind, q.required, q.visibility = spec.kind, spec.required, spec.visibility
        q.choices, q.position = list(spec.choices), pos
        kept.append(q)
    conference.questions = kept


def _check_one(q: CustomQuestion, value: Any) -> Any:
    if q.kind == "choices":
        picked = [v for v in (value or []) if isinstance(v, str)]
        if any(v not in q.choices for v in picked):
            raise CfpError(f"{q.text}: choose among the choices given.")
        if q.required and not picked:
            raise CfpError(f"{q.text}: please answer this question.")
        return [c for c in q.choices if c in picked]
    text = value.strip() if isinstance(value, str) else ""
    if q.required and not text:
        raise CfpError(f"{q.text}: please answer this question.")
    if text and q.kind == "choice" and text not in q.choices:
        raise CfpError(f"{q.text}: choose one of the choices given.")
    if text and q.kind == "yes_no" and text not in YES_NO:
        raise CfpError(f"{q.text}: answer yes or no.")
    if text and q.kind == "url" and not text.lower().startswith(("https://", "http://")):
        raise CfpError(f"{q.text}: a web address starting with https://.")
    if len(text) > TEXT_LIMIT.get(q.kind, 100):
        raise CfpError(f"{q.text}: at most {TEXT_LIMIT.get(q.kind, 100)} characters.")
    return text


def check_answers(conference: Conference, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to the conference's questions, checked and cleaned (others are dropped)."""
    return {str(q.id): _check_one(q, answers.get(str(q.id))) for q in conference.questions}


AUDIENCES = {
    "organizer": QUESTION_VISIBILITY,
    "reviewer": ("reviewers", "public"),
    "public": ("public",),
}


def shown_answers(submission: Submission, audience: str) -> list[tuple[CustomQuestion, str]]:
    """(question, answer as text) for the questions this audience may see."""
    shown = AUDIENCES[audience]
    out = []
    for q in submission.conference.questions:
        if q.visibility not in shown:
            continue
        value = (submission.answers or {}).get(str(q.id))
        text = ", ".join(value) if isinstance(value, list) else (value or "")
        out.append((q, text))
    return out
