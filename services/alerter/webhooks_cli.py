"""Commands: `newsmon webhooks dispatch|replay|deliveries|verify|list|...`; `newsmon alerts silence|silences|...`.

Heavy imports stay inside the commands so ``newsmon --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from newsmon.contracts.deliveries import PlaceSilence, WebhookDelivery
    from services.alerter.silence import SilenceBook
    from services.alerter.webhook_settings import DispatcherSettings


def _group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """The sub-command group ``name``, shared with other parts that add commands to it."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(name=name, help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def _settings(config: Path | None) -> DispatcherSettings:
    from pydantic import ValidationError

    from services.alerter.webhook_settings import DispatcherSettings, WebhookSettings

    try:
        settings = DispatcherSettings()
    except ValidationError as exc:
        raise _fail(f"invalid settings: {exc}") from exc
    if config is not None:
        if not config.exists():
            raise typer.BadParameter(f"{config} does not exist", param_hint="--config")
        webhooks = WebhookSettings.model_validate({**settings.webhooks.model_dump(), "config_file": config})
        settings = settings.model_copy(update={"webhooks": webhooks})
    return settings


def _fail(message: str) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Subscriber YAML file (default: NEWSMON_WEBHOOKS__CONFIG_FILE)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


def _parse_since(text: str | None) -> datetime | None:
    from services.alerter.silence import parse_duration

    if text is None:
        return None
    try:
        return datetime.now(UTC) - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter("give a duration (24h) or an ISO time", param_hint="--since") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(app: typer.Typer) -> None:
    """Add the webhook and silence commands to the ``newsmon`` CLI."""
    webhooks = _group(app, "webhooks", "Deliver alert events to webhook subscribers (Standard Webhooks).")
    alerts = _group(app, "alerts", "Contradiction alerts: mute places, list silences.")

    @webhooks.command("dispatch")
    def dispatch(config: ConfigOption = None) -> None:
        """Deliver every alert event from the alerts topic to the subscribers that want it (runs until SIGTERM)."""
        import asyncio

        from newsmon.errors import NewsmonError
        from newsmon.health import serve_health
        from newsmon.lifecycle import graceful_shutdown
        from newsmon.logging import configure_logging
        from newsmon.metrics import PrometheusMetrics
        from services.alerter.dispatcher import SERVICE, build

        settings = _settings(config)
        configure_logging(SERVICE, settings.logging)

        async def run() -> None:
            metrics = PrometheusMetrics(service=SERVICE)
            async with serve_health(settings.metrics, service=SERVICE, metrics=metrics) as health:
                health.set_ready("kafka", False)
                async with build(settings, metrics=metrics) as service, graceful_shutdown() as stopping:
                    health.set_ready("kafka", True)
                    await service.run(stopping)

        try:
            asyncio.run(run())
        except NewsmonError as exc:  # configuration or an unreachable broker: say so, no traceback
            raise _fail(str(exc)) from exc

    @webhooks.command("replay")
    def replay(
        subscriber: Annotated[str | None, typer.Option(help="Only this subscriber's dead letters")] = None,
        alert: Annotated[str | None, typer.Option(help="Only events of this alert id")] = None,
        event: Annotated[str | None, typer.Option(help="Only this alert event id (webhook-id)")] = None,
        error_kind: Annotated[str | None, typer.Option(help="Only this failure kind, e.g. http_500, timeout")] = None,
        since: Annotated[
            str | None, typer.Option(help="Only dead letters newer than this: 24h, or an ISO time")
        ] = None,
        attempts: Annotated[int, typer.Option(min=1, help="Requests per message before giving up again")] = 3,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be sent, send nothing")] = False,
        config: ConfigOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Re-send dead-lettered webhook deliveries (each at most once; already delivered ones are skipped)."""
        import asyncio

        from newsmon.errors import NewsmonError
        from services.alerter.webhook_replay import ReplayFilter, ReplayItem, open_replay

        settings = _settings(config)
        wanted = ReplayFilter(subscriber, alert, event, error_kind, _parse_since(since))

        async def run() -> list[ReplayItem]:
            async with open_replay(settings, max_attempts=attempts) as session:
                return await session.run(wanted, dry_run=dry_run)

        try:
            items = asyncio.run(run())
        except NewsmonError as exc:
            raise _fail(str(exc)) from exc
        if json_output:
            for item in items:
                typer.echo(json.dumps(item.__dict__))
        else:
            _print_replay(items)
        if any(item.status == "failed" for item in items):
            raise typer.Exit(1)

    @webhooks.command("deliveries")
    def deliveries(
        subscriber: Annotated[str | None, typer.Option(help="Only this subscriber")] = None,
        alert: Annotated[str | None, typer.Option(help="Only events of this alert id")] = None,
        last: Annotated[int, typer.Option(min=1, help="Show at most this many, newest last")] = 50,
        json_output: JsonOption = False,
    ) -> None:
        """Show the recorded outcome of each (subscriber, alert event): delivered, dead_lettered or silenced."""
        import asyncio

        from newsmon.errors import NewsmonError

        try:
            records = asyncio.run(_read_deliveries(_settings(None)))
        except NewsmonError as exc:
            raise _fail(str(exc)) from exc
        chosen = [d for d in records if subscriber in (None, d.subscriber) and alert in (None, d.alert_id)][-last:]
        if json_output:
            for delivery in chosen:
                typer.echo(delivery.model_dump_json())
            return
        rows = [
            {
                "settled": d.settled_at.isoformat(timespec="seconds"),
                "subscriber": d.subscriber,
                "event": d.event,
                "webhook-id": d.event_id,
                "outcome": d.outcome + (" (replay)" if d.replayed else ""),
                "attempts": d.attempts,
                "reason": d.reason or "",
            }
            for d in chosen
        ]
        columns = ["settled", "subscriber", "event", "webhook-id", "outcome", "attempts", "reason"]
        _table(f"Webhook deliveries ({len(chosen)} of {len(records)})", columns, rows)

    @webhooks.command("verify")
    def verify(
        body: Annotated[Path, typer.Argument(help="File holding the exact request body ('-' for stdin)")],
        webhook_id: Annotated[str, typer.Option("--id", help="The webhook-id header")],
        timestamp: Annotated[str, typer.Option(help="The webhook-timestamp header")],
        signature: Annotated[str, typer.Option(help="The webhook-signature header")],
        secret: Annotated[
            str, typer.Option(envvar="NEWSMON_WEBHOOK_SECRET", help="Subscriber secret (whsec_...)", show_default=False)
        ],
    ) -> None:
        """Check a received webhook the way a receiver should (signature and timestamp within 5 minutes)."""
        from services.alerter.webhooks import WebhookVerificationError
        from services.alerter.webhooks import verify as verify_webhook

        data = sys.stdin.buffer.read() if str(body) == "-" else body.read_bytes()
        headers = {"webhook-id": webhook_id, "webhook-timestamp": timestamp, "webhook-signature": signature}
        try:
            payload = verify_webhook(secret, data, headers)
        except WebhookVerificationError as exc:
            raise _fail(f"not verified: {exc}") from exc
        except ValueError as exc:
            raise _fail(f"malformed secret or headers: {exc}") from exc
        kind = payload.get("type") if isinstance(payload, dict) else None
        typer.echo(f"verified: {kind or 'payload'} {webhook_id}")

    @webhooks.command("list")
    def list_subscribers(config: ConfigOption = None, json_output: JsonOption = False) -> None:
        """Show the configured subscribers and their filters (secrets masked)."""
        from newsmon.errors import ConfigurationError

        try:
            subscribers = _settings(config).webhooks.load_subscribers()
        except ConfigurationError as exc:
            raise _fail(str(exc)) from exc
        rows = [
            {
                "name": s.name,
                "url": s.url.split("?", 1)[0] + ("?…" if "?" in s.url else ""),  # query strings may hold tokens
                "filters": s.filters.model_dump(exclude_defaults=True),
                "timeout": s.timeout,
                "max_attempts": s.max_attempts,
            }
            for s in subscribers
        ]
        if json_output:
            typer.echo(json.dumps(rows))
            return
        _table("Webhook subscribers", ["name", "url", "filters", "timeout", "max_attempts"], rows)

    @webhooks.command("new-secret")
    def new_secret() -> None:
        """Print a fresh random signing secret (whsec_...) for a new subscriber."""
        from services.alerter.webhook_settings import generate_secret

        typer.echo(generate_secret())

    @webhooks.command("bench")
    def bench(
        events: Annotated[int, typer.Option(min=1, help="Alert events to deliver")] = 500,
        concurrency: Annotated[int, typer.Option(min=1, help="Deliveries in flight")] = 8,
        kafka: Annotated[bool, typer.Option("--kafka/--no-kafka", help="Also run the dispatcher on the broker")] = True,
        json_output: JsonOption = False,
    ) -> None:
        """Deliveries per second to a verifying receiver on 127.0.0.1 (sender alone, then the whole dispatcher)."""
        import asyncio

        from services.alerter.webhook_bench import BenchResult, bench_dispatcher, bench_sender

        async def run() -> list[BenchResult]:
            results = [await bench_sender(events, 1), await bench_sender(events, concurrency)]
            if kafka:
                results.append(await bench_dispatcher(_settings(None), events, concurrency))
            return results

        results = asyncio.run(run())
        rows = [
            {"what": r.what, "deliveries": r.deliveries, "concurrency": r.concurrency, "seconds": round(r.seconds, 2),
             "per_second": round(r.per_second, 1)}
            for r in results
        ]  # fmt: skip
        if json_output:
            typer.echo(json.dumps(rows))
            return
        _table("Webhook deliveries", ["what", "deliveries", "concurrency", "seconds", "per_second"], rows)

    @alerts.command("silence")
    def silence(
        place: Annotated[str, typer.Argument(help="Place name (resolved with the gazetteer) or geonames id")],
        duration: Annotated[str, typer.Option("--for", help="How long: 30m, 6h, 2d, 1h30m")] = "6h",
        reason: Annotated[str, typer.Option(help="Why, shown in the silence list")] = "",
        json_output: JsonOption = False,
    ) -> None:
        """Mute a place: alert events about it are not delivered to webhooks until the silence ends."""
        import asyncio
        import getpass

        from services.alerter.silence import new_silence, parse_duration, resolve_place

        try:
            length = parse_duration(duration)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--for") from exc
        resolved = resolve_place(place)
        record = new_silence(resolved, length, datetime.now(UTC), reason=reason, by=getpass.getuser())
        asyncio.run(_write_silences(_settings(None), {record.key: record}))
        if json_output:
            typer.echo(record.model_dump_json())
            return
        typer.echo(
            f"silenced {record.place_name} ({record.place_id or 'by name'}, {resolved.how}) "
            f"until {record.until.isoformat(timespec='minutes')}"
        )

    @alerts.command("silences")
    def silences(
        include_expired: Annotated[bool, typer.Option("--all", help="Include silences that have ended")] = False,
        json_output: JsonOption = False,
    ) -> None:
        """List the muted places."""
        import asyncio

        book = asyncio.run(_read_silences(_settings(None)))
        now = datetime.now(UTC)
        current = book.all() if include_expired else book.active(now)
        if json_output:
            for item in current:
                typer.echo(item.model_dump_json())
            return
        rows = [
            {"place": s.place_name, "id": s.place_id or "-", "until": s.until.isoformat(timespec="minutes"),
             "active": "yes" if s.until > now else "no", "reason": s.reason, "by": s.created_by or "-"}
            for s in current
        ]  # fmt: skip
        _table("Silenced places", ["place", "id", "until", "active", "reason", "by"], rows)

    @alerts.command("unsilence")
    def unsilence(
        place: Annotated[str, typer.Argument(help="Place name or geonames id, as silenced")],
    ) -> None:
        """Lift the silences on a place (by id or by name)."""
        import asyncio

        from services.alerter.silence import resolve_place

        settings = _settings(None)
        book = asyncio.run(_read_silences(settings))
        resolved = resolve_place(place)
        keys = book.keys_for(resolved.place_id, resolved.name) | book.keys_for(None, place)
        if not keys:
            raise _fail(f"no silence on {place}")
        asyncio.run(_write_silences(settings, dict.fromkeys(keys)))
        typer.echo(f"lifted {len(keys)} silence(s) on {resolved.name}")


async def _write_silences(settings: DispatcherSettings, records: dict[str, PlaceSilence | None]) -> None:
    """Write silences (a None value lifts the silence under that key)."""
    from newsmon.contracts.topics import ALERT_SILENCES
    from newsmon.kafka import encode, producer
    from services.alerter.webhook_state import ensure_topics

    await ensure_topics(settings.kafka)
    async with producer(settings.kafka) as client:
        for key, record in records.items():
            value = encode(record) if record is not None else None
            await client.send_and_wait(settings.kafka.topic(ALERT_SILENCES.name), value, key=key.encode("utf-8"))


async def _read_deliveries(settings: DispatcherSettings) -> list[WebhookDelivery]:
    from newsmon.contracts.topics import WEBHOOK_DELIVERIES
    from services.alerter.webhook_state import DeliveryLog, TopicFollower, ensure_topics

    await ensure_topics(settings.kafka)
    log = DeliveryLog()
    follower = TopicFollower(settings.kafka, WEBHOOK_DELIVERIES.name, log.apply)
    await follower.start()
    await follower.stop()
    return log.all()


async def _read_silences(settings: DispatcherSettings) -> SilenceBook:
    from newsmon.contracts.topics import ALERT_SILENCES
    from services.alerter.silence import SilenceBook
    from services.alerter.webhook_state import TopicFollower, ensure_topics, silence_handler

    await ensure_topics(settings.kafka)
    book = SilenceBook()
    follower = TopicFollower(settings.kafka, ALERT_SILENCES.name, silence_handler(book))
    await follower.start()
    await follower.stop()
    return book


def _table(title: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[column]) for column in columns))
    Console().print(table)


def _print_replay(items: list[Any]) -> None:
    rows = [
        {"subscriber": i.subscriber, "event": i.event or "-", "webhook-id": i.event_id or "-", "status": i.status,
         "attempts": i.attempts, "reason": i.reason or ""}
        for i in items
    ]  # fmt: skip
    _table(
        f"Replay: {len(items)} dead letter(s)",
        ["subscriber", "event", "webhook-id", "status", "attempts", "reason"],
        rows,
    )
