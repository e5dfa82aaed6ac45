"""What the minutes services refuse, each a ValueError with a message for the user."""

from __future__ import annotations

from webapp.models import (
    Minutes,
)


class MinutesError(ValueError):
    """A request about minutes that cannot be carried out; the message says why."""


class PersonError(MinutesError):
    pass


class EditConflict(MinutesError):
    """Someone else saved the minutes since the editor loaded them."""

    def __init__(self, current: Minutes) -> None:
        super().__init__(
            f"these minutes were saved by {current.updated_by or 'someone else'} meanwhile "
            f"(now version {current.version})"
        )
        self.current = current
