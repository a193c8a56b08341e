"""Alerts as a person reads them in a terminal (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from newsmon.contracts import AlertEvent, Side
from services.alerter.summary import PHRASES

SEVERITY_STYLE = {"low": "cyan", "medium": "yellow", "high": "bold red"}


def _side_title(side: Side) -> str:
    if side.value is not None:
        return f"{side.value:,.1f} {side.unit or ''}".strip()
    return PHRASES.get(side.predicate or "", side.predicate or "")


def side_table(side: Side) -> Table:
    table = Table(show_header=True, header_style="bold", expand=True, title_justify="left")
    table.title = f"{_side_title(side)} — {', '.join(side.said_by)}"
    table.add_column("outlet", no_wrap=True, ratio=1)
    table.add_column("who", ratio=1)
    table.add_column("evidence", ratio=4)
    for source in side.sources:
        day = source.published.date().isoformat() if source.published else "?"
        table.add_row(f"{source.source}\n{day}", source.attributed_to, f"“{source.evidence}”\n[dim]{source.url}[/dim]")
    return table


def alert_panel(event: AlertEvent, history: Sequence[AlertEvent] = ()) -> Panel:
    alert = event.alert
    style = SEVERITY_STYLE[alert.severity]
    header = Text.assemble(
        (f"{alert.kind.replace('_', ' ')}", "bold"),
        f" · {alert.status} · severity ",
        (alert.severity, style),
        f" · {alert.independent_sources} independent stor{'y' if alert.independent_sources == 1 else 'ies'}",
        f" · {len(alert.article_ids)} article(s)",
    )
    parts: list[Table | Text] = [header, Text(alert.summary, style="italic")]
    parts.extend(side_table(side) for side in alert.sides)
    if history:
        steps = ", ".join(f"{e.event} v{e.alert.version}" for e in history)
        parts.append(Text(f"lifecycle: {steps}", style="dim"))
    if alert.resolution:
        parts.append(Text(f"resolution: {alert.resolution}", style="green"))
    place = alert.place
    reference = f"geonames {place.geonames_id}" if place.geonames_id else place.id
    where = f"{place.name} ({place.country_code or '?'}, {reference})"
    return Panel(Group(*parts), title=where, subtitle=f"alert {alert.id}", border_style=style)


def print_alerts(console: Console, events: Sequence[AlertEvent]) -> None:
    """One panel per alert, in its latest state, with the list of events it went through."""
    by_alert: dict[str, list[AlertEvent]] = {}
    for event in events:
        by_alert.setdefault(event.alert.id, []).append(event)
    for history in by_alert.values():
        console.print(alert_panel(history[-1], history))
