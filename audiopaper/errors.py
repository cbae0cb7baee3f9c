"""Errors that reach the user as one line: what happened, and how to fix it."""

from __future__ import annotations

from typing import Any


class AudiopaperError(Exception):
    """A failure that stops the run. ``str(e)`` is the one line shown to the user."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled with what it was made of (a child process's error keeps its hint and
        # every subclass's own fields), not only Exception.args
        return (_restore, (type(self), self.message, self.__dict__))


def _restore(cls: type[AudiopaperError], message: str, state: dict[str, Any]) -> AudiopaperError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InputError(AudiopaperError):
    """The issue file cannot be read or holds nothing to read."""


class OutputError(AudiopaperError):
    """The output folder cannot be written."""


class EngineUnavailable(AudiopaperError):
    """An engine cannot run here (missing package, model, voice or network)."""


class UsageError(AudiopaperError):
    """Options that cannot work together, an unknown voice or engine."""

    exit_code = 2


class SynthesisError(AudiopaperError):
    """One piece of text could not be synthesized; the article it belongs to fails."""


class EngineFailure(SynthesisError):
    """One engine request failed, in a way the synth stage knows how to handle.

    ``retryable`` says whether trying again can help; ``status`` is the HTTP status of a
    refused request; ``retry_after_s`` is the service's own cool-down hint (429). Engines
    raise it (or a subclass) for their own failures, so the retry and failover layers
    need to know no engine.
    """

    def __init__(
        self, message: str, *, retryable: bool = True, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after_s = retry_after_s


class AudioError(AudiopaperError):
    """ffmpeg or tagging failed."""
