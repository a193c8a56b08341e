"""Errors sorted by what the caller should do about them."""

from __future__ import annotations


class NewsmonError(Exception):
    """Root of every error newsmon raises on purpose."""


class TransientError(NewsmonError):
    """Worth retrying with backoff: a timeout, a broker or node that is down, a 503."""


class PoisonError(NewsmonError):
    """The record itself is bad: dead-letter it, commit, move on."""

    def __init__(self, message: str, *, kind: str = "poison") -> None:
        super().__init__(message)
        self.kind = kind


class ConfigurationError(NewsmonError):
    """Wrong or missing configuration: fail at start-up with a message that says how to fix it."""
