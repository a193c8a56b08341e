"""Hand-built alert events and receivers' helpers for webhook tests, benchmarks and docs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from newsmon.contracts.alerts import Alert, AlertEvent, AlertEventType, AlertKind, Severity, Side, SideSource
from newsmon.contracts.ids import alert_event_id, alert_id
from newsmon.contracts.places import Place
from services.alerter.webhook_settings import Subscriber, SubscriberFilters

KURAKHOVE = Place(id="704508", geonames_id=704508, name="Kurakhove", kind="populated_place", country_code="UA")
POKROVSK = Place(id="708546", geonames_id=708546, name="Pokrovsk", kind="populated_place", country_code="UA")
KURSK = Place(id="538555", geonames_id=538555, name="Kursk Oblast", kind="region", country_code="RU")

# a fixed, valid Standard Webhooks secret (32 bytes); tests only
TEST_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - a published test value
SENT_AT = datetime(2025, 1, 7, 9, 30, tzinfo=UTC)


def _source(n: int, side: str) -> SideSource:
    return SideSource(
        claim_id=f"claim-{side}-{n}",
        article_id=f"article-{n}",
        url=f"https://news.example.org/{n}",
        source="Example News",
        attributed_to="Russia's Defense Ministry" if side == "RU" else "Ukrainian military",
        evidence="Russia says the town was captured." if side == "RU" else "Ukraine says fighting continues.",
        published=SENT_AT,
    )


def alert_event(
    *,
    place: Place = KURAKHOVE,
    kind: AlertKind = "control_dispute",
    severity: Severity = "high",
    event: AlertEventType = "opened",
    version: int = 1,
    related: tuple[Place, ...] = (),
    emitted_at: datetime | None = None,
) -> AlertEvent:
    """An alert event with a deterministic id (alert id = place + kind, event id = alert id + version)."""
    ident = alert_id(place.id, kind)
    moment = emitted_at or SENT_AT + timedelta(minutes=version)
    alert = Alert(
        id=ident,
        kind=kind,
        status="resolved" if event == "resolved" else "open",
        severity=severity,
        place=place,
        related_places=related,
        sides=(
            Side(predicate="captured", actor="RU", said_by=("Russia's Defense Ministry",), sources=(_source(1, "RU"),)),
            Side(predicate="contested", actor="UA", said_by=("Ukrainian military",), sources=(_source(2, "UA"),)),
        ),
        summary=f"{place.name}: Russian MoD says captured; Ukrainian military says fighting continues",
        first_seen=SENT_AT,
        last_updated=moment,
        version=version,
        article_ids=("article-1", "article-2"),
        independent_sources=2,
    )
    return AlertEvent(id=alert_event_id(ident, version), event=event, alert=alert, emitted_at=moment)


def subscriber(
    name: str = "ops",
    url: str = "https://hooks.example.org/newsmon",
    *,
    max_attempts: int = 4,
    timeout: float = 5.0,
    secret: str = TEST_SECRET,
    **filters: object,
) -> Subscriber:
    return Subscriber.model_validate(
        {
            "name": name,
            "url": url,
            "secret": secret,
            "max_attempts": max_attempts,
            "timeout": timeout,
            "filters": SubscriberFilters.model_validate(filters),
        }
    )


class LocalReceiver:
    """A tiny HTTP/1.1 server whose behaviour (``mode``) can change between requests.

    ``ok`` verifies the signature and answers 204 (400 when it does not verify); ``500`` answers 500; ``hang`` reads
    the request and never answers; ``close`` reads the request and closes the connection without a response.
    """

    def __init__(self, mode: str = "ok", secret: str = TEST_SECRET, *, delay: float = 0.0) -> None:
        self.mode = mode
        self.delay = delay  # seconds before answering, to keep requests in flight
        self.secret = secret
        self.requests: list[dict[str, str]] = []
        self.accepted: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._answered = asyncio.Condition()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hooks/newsmon"

    async def __aenter__(self) -> LocalReceiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def wait_accepted(self, count: int) -> None:
        """Wait until ``count`` requests have been verified and acknowledged."""
        async with self._answered:
            await self._answered.wait_for(lambda: len(self.accepted) >= count)

    def accepted_ids(self) -> list[str]:
        return [payload["data"]["id"] for payload in self.accepted]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {
                    k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append(headers)
                if self.mode == "close":
                    return
                if self.mode == "hang":
                    await asyncio.sleep(3600)
                if self.delay:
                    await asyncio.sleep(self.delay)
                status = 500 if self.mode == "500" else self._verify(body, headers)
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n".encode())
                await writer.drain()
                async with self._answered:
                    self._answered.notify_all()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)

    def _verify(self, body: bytes, headers: dict[str, str]) -> int:
        try:
            self.accepted.append(Webhook(self.secret).verify(body, headers))
        except WebhookVerificationError as exc:
            self.rejected.append(str(exc))
            return 400
        return 204
