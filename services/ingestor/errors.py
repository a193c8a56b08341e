"""The error of the ingestor's HTTP layer: what went wrong, in a word (``kind``) and a sentence (``reason``)."""

from __future__ import annotations

from newsmon.errors import NewsmonError


class FetchError(NewsmonError):
    """A request that produced no usable body. ``kind`` is short and machine-readable."""

    def __init__(
        self,
        kind: str,
        reason: str,
        *,
        url: str,
        status: int | None = None,
        retry_after: float | None = None,
        transient: bool = True,
    ) -> None:
        super().__init__(f"{reason} ({url})")
        self.kind = kind
        self.reason = reason
        self.url = url
        self.status = status
        self.retry_after = retry_after
        self.transient = transient
