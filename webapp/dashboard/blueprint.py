"""The dashboard's blueprint, shared by its view modules (which never import each other)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
