"""A series' announcement settings: read, change (validated) and describe them."""

from __future__ import annotations

from collections.abc import Sequence

from webapp import addresses, audit
from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings.schedule import ScheduleError
from webapp.models import AnnouncementSettings, Series
from webapp.models.announcements import MAX_HOURS_BEFORE

MAX_ADDRESSES = 20
MAX_ZONES = 4


class SettingsInvalid(ScheduleError):
    """A bad address, zone or number of hours; the message names it, ``field`` its field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def settings_of(series: Series) -> AnnouncementSettings | None:
    return db.session.get(AnnouncementSettings, series.id)


def _addresses(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        try:
            normal = addresses.normalise(value)
        except addresses.AddressInvalid as exc:
            raise SettingsInvalid(
                f"{value!r} is not an address we can mail: {exc}", "addresses"
            ) from None
        if normal not in out:
            out.append(normal)
    if len(out) > MAX_ADDRESSES:
        raise SettingsInvalid(f"at most {MAX_ADDRESSES} addresses", "addresses")
    return out


def _zones(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        try:
            key = schedule.zone(value.strip()).key
        except ScheduleError as exc:
            raise SettingsInvalid(str(exc), "zones") from None
        if key not in out:
            out.append(key)
    if len(out) > MAX_ZONES:
        raise SettingsInvalid(f"at most {MAX_ZONES} extra zones", "zones")
    return out


def change(
    series: Series,
    actor: audit.Actor,
    *,
    to: Sequence[str] | None = None,
    before: int | None = None,
    zones: Sequence[str] | None = None,
    off: bool = False,
) -> AnnouncementSettings:
    """Set what is given (``None``: unchanged); turning addresses on enables announcements,
    ``off`` disables them and keeps the rest."""
    row = settings_of(series)
    if row is None:
        row = AnnouncementSettings(series_id=series.id, addresses="", zones="", hours_before=24)
        db.session.add(row)
    if to:
        row.addresses = "\n".join(_addresses(to))
        row.enabled = True
    if before is not None:
        if not 1 <= before <= MAX_HOURS_BEFORE:
            raise SettingsInvalid(
                f"--before must be between 1 and {MAX_HOURS_BEFORE} hours", "hours_before"
            )
        row.hours_before = before
    if zones:
        row.zones = "\n".join(_zones(zones))
    if off:
        row.enabled = False
    db.session.flush()
    audit.record(
        actor,
        "announcements.set",
        "series",
        series.slug,
        f"announcements of {series.title}: {describe(row)}",
    )
    return row


def replace(
    series: Series,
    actor: audit.Actor,
    *,
    to: Sequence[str],
    before: int,
    zones: Sequence[str],
    enabled: bool,
) -> AnnouncementSettings:
    """Set everything at once (the organizer page): addresses and zones as given (none
    clears them), on or off as asked."""
    addresses_ = _addresses([a for a in to if a.strip()])
    zones_ = _zones([z for z in zones if z.strip()])
    if not 1 <= before <= MAX_HOURS_BEFORE:
        raise SettingsInvalid(
            f"the hours before must be between 1 and {MAX_HOURS_BEFORE}", "hours_before"
        )
    if enabled and not addresses_:
        raise SettingsInvalid("announcements need at least one list address", "addresses")
    row = settings_of(series)
    if row is None:
        row = AnnouncementSettings(series_id=series.id)
        db.session.add(row)
    row.addresses, row.zones = "\n".join(addresses_), "\n".join(zones_)
    row.hours_before, row.enabled = before, enabled
    db.session.flush()
    audit.record(
        actor,
        "announcements.set",
        "series",
        series.slug,
        f"announcements of {series.title}: {describe(row)}",
    )
    return row


def describe(row: AnnouncementSettings | None) -> str:
    if row is None or not row.address_list:
        return "off (no list address)"
    state = "on" if row.enabled else "off"
    zones = ", ".join(row.zone_list) or "none"
    return (
        f"{state}; to {', '.join(row.address_list)}; agenda {row.hours_before} h before; "
        f"extra zones: {zones}"
    )


def active(series: Series) -> AnnouncementSettings | None:
    """The settings when announcements are on and have somewhere to go."""
    row = settings_of(series)
    return row if row is not None and row.enabled and row.address_list else None
