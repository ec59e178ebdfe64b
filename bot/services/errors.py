"""Domain errors. Each message is written to be shown to the person who caused it."""

from __future__ import annotations


class TurnoutError(Exception):
    """An expected refusal: shown to the user as it is; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(TurnoutError):
    """The input could not be read; the message says what was wrong and shows the right form."""

    def __init__(self, problem: str, usage: str) -> None:
        super().__init__(f"{problem}\nUsage: {usage}")
        self.problem = problem
        self.usage = usage


class NotFound(TurnoutError):
    """The thing named does not exist (or is not visible to the caller)."""


class Refused(TurnoutError):
    """The rules do not allow it: wrong role, too late, already cancelled …"""
