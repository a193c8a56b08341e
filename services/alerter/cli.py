"""Commands of this part of newsmon."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this part's commands to the ``newsmon`` CLI."""
