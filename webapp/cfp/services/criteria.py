"""Review criteria of a conference, written one per line as ``name:weight:max`` (``Overall:1:5``).

The same grammar serves the conference form and the CLI; criteria are matched by name, so
editing the list keeps the scores of the criteria it keeps.
"""

from __future__ import annotations

import sqlalchemy as sa

from webapp.cfp.services.errors import CfpError
from webapp.extensions import db
from webapp.models import Conference, ReviewCriterion, ReviewScore

#: What a new conference scores: the one 1–5 score Cadence had before criteria.
DEFAULT_CRITERIA = [("Overall", 1, 5)]
Criterion = tuple[str, int, int]


def parse_criterion(text: str) -> Criterion:
    """'Relevance:2:5' → ('Relevance', 2, 5): scored 0 to 5, counting twice."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0].strip():
        raise CfpError(
            f"Review criterion {text.strip()!r} should look like 'Relevance:2:5' "
            "(name:weight:highest score)."
        )
    name, weight, top = parts[0].strip(), parts[1].strip(), parts[2].strip()
    if not weight.isdigit() or not 1 <= int(weight) <= 100:
        raise CfpError(f"Review criterion {name!r}: the weight is a whole number from 1 to 100.")
    if not top.isdigit() or not 1 <= int(top) <= 100:
        raise CfpError(
            f"Review criterion {name!r}: the highest score is a whole number from 1 to 100."
        )
    if len(name) > 80:
        raise CfpError(f"Review criterion {name[:20]!r}… is longer than 80 characters.")
    return name, int(weight), int(top)


def parse_criteria(text: str) -> list[Criterion]:
    found = [parse_criterion(line) for line in text.splitlines() if line.strip()]
    if not found:
        raise CfpError("Reviewers need at least one criterion to score, e.g. Overall:1:5.")
    names = [n.lower() for n, _, _ in found]
    if len(set(names)) != len(names):
        raise CfpError("Two review criteria have the same name.")
    return found


def criteria_text(conference: Conference) -> str:
    return "\n".join(f"{c.name}:{c.weight}:{c.scale_max}" for c in conference.criteria)


def _highest_score(criterion: ReviewCriterion) -> int:
    if criterion.id is None:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.max(ReviewScore.score)).where(
                ReviewScore.criterion_id == criterion.id
            )
        )
        or 0
    )


def sync_criteria(conference: Conference, wanted: list[Criterion]) -> None:
    """Keep, add, change or remove criteria; one that holds scores is never lost silently."""
    by_name = {c.name: c for c in conference.criteria}
    kept: list[ReviewCriterion] = []
    for pos, (name, weight, top) in enumerate(wanted):
        criterion = by_name.pop(name, None) or ReviewCriterion(name=name)
        highest = _highest_score(criterion)
        if highest > top:
            raise CfpError(
                f"Review criterion {name!r} has scores up to {highest}: its highest score "
                f"cannot be {top}."
            )
        criterion.weight, criterion.scale_max, criterion.position = weight, top, pos
        kept.append(criterion)
    for gone in by_name.values():
        if _scored(gone):
            raise CfpError(f"Review criterion {gone.name!r} has scores; it cannot be removed.")
    conference.criteria = kept


def _scored(criterion: ReviewCriterion) -> bool:
    if criterion.id is None:
        return False
    return bool(
        db.session.scalar(
            sa.select(sa.func.count()).where(ReviewScore.criterion_id == criterion.id)
        )
    )
