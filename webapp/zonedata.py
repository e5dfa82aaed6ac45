"""The zone data Cadence computes with: the ``tzdata`` package pinned in requirements.txt.

Python's ``zoneinfo`` reads the operating system's copy first, and an OS copy a year old already
differs from current data in several zones (America/Vancouver from November 2026). Calendar
clients resolve a known TZID with current data, so Cadence must too: ``pin()`` (called by
``create_app``, hence also by every ``flask`` command) makes ``zoneinfo`` read only the package.
"""

from __future__ import annotations

import zoneinfo

import tzdata


def pin() -> str:
    """Read zones from the ``tzdata`` package only; returns its IANA version (e.g. ``2026f``)."""
    if zoneinfo.TZPATH:
        zoneinfo.reset_tzpath(to=[])
        zoneinfo.ZoneInfo.clear_cache()
    return version()


def version() -> str:
    return str(tzdata.IANA_VERSION)
