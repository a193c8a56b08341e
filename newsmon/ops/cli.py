"""Operations commands: ``newsmon lag`` and ``newsmon lag-exporter``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from newsmon.lag import LagReport
    from newsmon.settings import KafkaSettings


def _kafka_settings(bootstrap: str | None) -> KafkaSettings:
    from newsmon.settings import CommonSettings

    kafka = CommonSettings().kafka
    return kafka.model_copy(update={"bootstrap": bootstrap}) if bootstrap else kafka


def _default_prefixes(settings: KafkaSettings) -> tuple[str, ...]:
    """``newsmon`` plus, under a topic prefix, the prefixed faust app id (``<prefix>newsmon-alerter``)."""
    from newsmon.lag import DEFAULT_GROUP_PREFIXES

    prefixed = tuple(f"{settings.topic_prefix}{p}" for p in DEFAULT_GROUP_PREFIXES if settings.topic_prefix)
    return DEFAULT_GROUP_PREFIXES + prefixed


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def lag_table(report: LagReport) -> Table:
    """The report as a rich table: one row per partition, a total row per group."""
    from rich.table import Table

    table = Table(title=f"consumer lag at {report.taken_at:%Y-%m-%d %H:%M:%S} UTC", show_lines=False)
    for name, justify in (
        ("group", "left"),
        ("topic", "left"),
        ("partition", "right"),
        ("committed", "right"),
        ("end", "right"),
        ("lag", "right"),
        ("lag (time)", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    if not report.groups:
        table.caption = "no consumer group with committed offsets matched"
    for group in report.groups:
        state = f" ({group.state}, {group.members} members)" if group.state else ""
        for index, p in enumerate(group.partitions):
            table.add_row(
                group.group + state if index == 0 else "",
                p.topic,
                str(p.partition),
                "-" if p.committed is None else str(p.committed),
                str(p.end),
                f"[red]{p.lag}[/red]" if p.lag else "0",
                _duration(p.lag_seconds),
            )
        table.add_row(
            "",
            "[bold]total[/bold]",
            "",
            "",
            "",
            f"[bold]{group.total_lag}[/bold]",
            _duration(group.max_lag_seconds),
            end_section=True,
        )
    return table


def lag(
    group: Annotated[
        list[str] | None,
        typer.Option("--group", "-g", help="Consumer group to show (repeatable); default: all ours"),
    ] = None,
    prefix: Annotated[
        list[str] | None, typer.Option("--prefix", help="Show groups whose name starts with this (repeatable)")
    ] = None,
    all_groups: Annotated[bool, typer.Option("--all", help="Show every consumer group of the cluster")] = False,
    watch: Annotated[bool, typer.Option("--watch", "-w", help="Refresh until interrupted")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between refreshes with --watch")] = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one document per refresh with --watch)")] = False,
    seconds: Annotated[
        bool, typer.Option("--seconds/--no-seconds", help="Also read the oldest unconsumed record for lag in time")
    ] = True,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap servers (default: from settings)")] = None,
) -> None:
    """Committed offset, end offset and lag per topic and partition for every consumer group of newsmon."""
    import asyncio
    import json

    from rich.console import Console
    from rich.live import Live

    from newsmon.errors import TransientError
    from newsmon.lag import LagProbe
    from newsmon.lifecycle import graceful_shutdown, sleep_or_stop

    settings = _kafka_settings(bootstrap)
    prefixes = ("",) if all_groups else tuple(prefix or _default_prefixes(settings))
    console = Console()

    async def run() -> None:
        async with LagProbe(settings) as probe, graceful_shutdown() as stopping:
            report = await probe.measure(groups=group or None, prefixes=prefixes, with_seconds=seconds)
            if not watch:
                if as_json:
                    typer.echo(json.dumps(report.to_dict()))
                else:
                    console.print(lag_table(report))
                return
            if as_json:
                while True:
                    typer.echo(json.dumps(report.to_dict()), nl=True)
                    if await sleep_or_stop(stopping, interval):
                        return
                    report = await probe.measure(groups=group or None, prefixes=prefixes, with_seconds=seconds)
            with Live(lag_table(report), console=console, auto_refresh=False) as live:
                while not await sleep_or_stop(stopping, interval):
                    report = await probe.measure(groups=group or None, prefixes=prefixes, with_seconds=seconds)
                    live.update(lag_table(report), refresh=True)

    try:
        asyncio.run(run())
    except TransientError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def lag_exporter(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of /metrics, /healthz and /readyz")] = 9308,
    interval: Annotated[float, typer.Option(help="Seconds between measurements")] = 15.0,
    prefix: Annotated[
        list[str] | None, typer.Option("--prefix", help="Export groups whose name starts with this (repeatable)")
    ] = None,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap servers (default: from settings)")] = None,
) -> None:
    """Serve consumer lag of every newsmon group as Prometheus gauges (works while the consumers are down)."""
    import asyncio

    from newsmon.health import HealthServer
    from newsmon.lag import LagReporter
    from newsmon.lifecycle import graceful_shutdown
    from newsmon.logging import configure_logging
    from newsmon.metrics import PrometheusMetrics
    from newsmon.settings import CommonSettings

    common = CommonSettings()
    configure_logging("lag-exporter", common.logging)
    settings = _kafka_settings(bootstrap)
    metrics = PrometheusMetrics("lag-exporter")
    reporter = LagReporter(settings, metrics, prefixes=tuple(prefix or _default_prefixes(settings)), interval=interval)

    async def run() -> None:
        async with (
            graceful_shutdown() as stopping,
            HealthServer(service="lag-exporter", host=host, port=port, registry=metrics.registry) as health,
        ):
            health.add_readiness_check("kafka", lambda: reporter.healthy)
            await reporter.run(stopping)

    asyncio.run(run())


def register(app: typer.Typer) -> None:
    """Add this part's commands to the ``newsmon`` CLI."""
    app.command("lag")(lag)
    app.command("lag-exporter")(lag_exporter)
