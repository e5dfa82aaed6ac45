"""Announcements run at a pinned "now": Thursday 2026-01-15 12:00 UTC, the day of a meeting of
the series ``call`` (16:00 America/New_York, 21:00 UTC, every two weeks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.setdefault("CADENCE_NOW", NOW)
    return app_config


@pytest.fixture
def cli(runner: Any) -> Callable[..., Any]:
    """``cli("series", "list")``: the command's result, asserted to have succeeded."""

    def run(*args: str, ok: bool = True) -> Any:
        result = runner.invoke(args=list(args))
        if ok:
            assert result.exit_code == 0, result.output + repr(result.exception)
        return result

    return run


@pytest.fixture
def call(cli: Callable[..., Any]) -> str:
    cli(
        "series", "create", "call", "--title", "Hypervisor call",
        "--timezone", "America/New_York", "--start", "2026-01-01 16:00",
        "--duration", "60", "--join-url", "https://meet.example.org/call",
    )  # fmt: skip
    return "call"
