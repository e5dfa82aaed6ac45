"""The audit trail: browse with filters, export as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Response, render_template, request

from webapp.dashboard.blueprint import bp
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.security import roles_required

PAGE_SIZE = 50


def _day(name: str) -> datetime | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    except ValueError:
        return None


def _filtered() -> tuple[sa.Select[AuditEntry], dict[str, str]]:
    filters = {
        k: request.args.get(k, "").strip()
        for k in ("actor", "action", "object_type", "since", "until")
    }
    query = sa.select(AuditEntry)
    if filters["actor"]:
        query = query.where(AuditEntry.actor.contains(filters["actor"], autoescape=True))
    if filters["action"]:
        query = query.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["object_type"]:
        query = query.where(AuditEntry.object_type == filters["object_type"])
    if since := _day("since"):
        query = query.where(AuditEntry.at >= since)
    if until := _day("until"):
        query = query.where(AuditEntry.at < until + timedelta(days=1))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), filters


@bp.route("/audit")
@roles_required("organizer")
def audit_log() -> str:
    query, filters = _filtered()
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    types = db.session.scalars(
        sa.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    ).all()
    return render_template("dashboard/audit.html", page=page, filters=filters, types=types)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/audit.csv")
@roles_required("organizer")
def audit_csv() -> Response:
    query, _ = _filtered()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["at (UTC)", "actor", "action", "object type", "object id", "summary", "changes"]
    )
    import json

    for entry in db.session.scalars(query.limit(100_000)):
        writer.writerow(
            [
                entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                _cell(entry.actor),
                _cell(entry.action),
                _cell(entry.object_type),
                _cell(entry.object_id),
                _cell(entry.summary),
                _cell(json.dumps(entry.changes, sort_keys=True, ensure_ascii=False)),
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=cadence-audit.csv"},
    )
