"""Wrong passwords counted per account, beside the per-client-address limits of the views.

Behind a proxy, or for a thief who spreads guesses over many addresses, a per-address limit
alone either locks everyone out or stops no one. So each check of a password for an account
(found by its address's key, ``webapp.addresses.key``, whether or not the account exists: the
answer never tells) is first *claimed*: in a short transaction of its own, the claim counts a
failure and sets when the next check may run; a right password then clears the count. The
first ``LOGIN_FREE_FAILURES`` failures cost nothing; after them each next check waits 1 s, 2 s,
4 s … up to ``LOGIN_MAX_DELAY`` seconds. Nothing locks: the owner waits at most that long, and
the page says how long. Concurrent guesses race for one claim (an UPDATE that matches only the
row as it was read), so a burst gets one check per delay, not one each.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from webapp import addresses
from webapp.extensions import db
from webapp.models import PasswordThrottle

#: A count older than this starts again from one.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    free: int = 5
    max_delay: int = 300

    @classmethod
    def of(cls, config: Any) -> Policy:
        return cls(int(config["LOGIN_FREE_FAILURES"]), int(config["LOGIN_MAX_DELAY"]))

    def delay(self, failures: int) -> timedelta:
        """How long after the ``failures``-th failure the next check waits."""
        if failures <= self.free:
            return timedelta(0)
        return timedelta(seconds=min(2 ** min(failures - self.free - 1, 30), self.max_delay))


class TooSoon(ValueError):
    """The account had too many wrong passwords lately; ``seconds`` until the next check."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        unit = "second" if seconds == 1 else "seconds"
        super().__init__(
            f"Too many wrong passwords for this account. Wait {seconds} {unit}, then try again."
        )


def account_key(email: str) -> str:
    return addresses.key_or_none(email) or email.strip().lower()[:254]


def _table() -> sa.Table:
    return cast(sa.Table, PasswordThrottle.__table__)


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def claim(email: str, now: datetime, policy: Policy) -> None:
    """Let one check of a password for ``email``'s account run, counting it as a failure until
    ``succeeded``; ``TooSoon`` when the account must wait."""
    table, key = _table(), account_key(email)
    for _attempt in range(3):
        with db.engine.begin() as conn:
            row = conn.execute(sa.select(table).where(table.c.account_key == key)).first()
            if row is None:
                with contextlib.suppress(sa.exc.IntegrityError), conn.begin_nested():
                    conn.execute(
                        sa.insert(table).values(
                            account_key=key,
                            failures=1,
                            last_failure_at=now,
                            next_allowed_at=now + policy.delay(1),
                        )
                    )
                    return
                continue  # another request inserted it first: read it again
            if row.next_allowed_at > now:
                raise TooSoon(_seconds(row.next_allowed_at, now))
            fresh = row.last_failure_at > now - FORGET_AFTER
            failures = row.failures + 1 if fresh else 1
            taken = conn.execute(
                sa.update(table)
                .where(
                    table.c.account_key == key,
                    table.c.failures == row.failures,
                    table.c.next_allowed_at == row.next_allowed_at,
                )
                .values(
                    failures=failures,
                    last_failure_at=now,
                    next_allowed_at=now + policy.delay(failures),
                )
            )
            if taken.rowcount == 1:
                return
    raise TooSoon(1)  # others are checking this account right now


def succeeded(email: str) -> None:
    """The password was right: the count starts again."""
    table = _table()
    with db.engine.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.account_key == account_key(email)))
