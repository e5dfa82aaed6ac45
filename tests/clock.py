"""A movable "now" for the app (``CADENCE_NOW``): tests move it with ``clock.now = …``."""

from __future__ import annotations

from datetime import datetime

from flask import Flask


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def install_clock(app: Flask, now: datetime) -> Clock:
    """The app's clock, starting at ``now``."""
    clock = Clock(now)
    app.config["CADENCE_NOW"] = clock
    return clock
