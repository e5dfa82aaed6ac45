"""The refusals of the call for papers: each carries a message for the user."""

from __future__ import annotations


class CfpError(ValueError):
    """A request about the conference that cannot be carried out; the message is for the user."""


class CfpClosed(CfpError):
    pass


class NotAllowed(CfpError):
    pass


class SlotConflict(CfpError):
    pass


class LimitReached(CfpError):
    pass
