"""The one command line: ``newsmon``. Each part of the system registers its own commands here."""

from __future__ import annotations

import typer

from newsmon import __version__

app = typer.Typer(
    name="newsmon",
    help="Streaming news monitor: raises an alert when a new article contradicts an earlier claim about a place.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print the newsmon version."""
    typer.echo(__version__)


def _register_all() -> None:
    # Command modules keep their heavy imports inside the commands, so start-up stays fast.
    from newsmon.bench import cli as bench_cli
    from newsmon.infra import cli as infra_cli
    from newsmon.ops import cli as ops_cli
    from services.alerter import cli as alerter_cli
    from services.enricher import cli as enricher_cli
    from services.indexer import cli as indexer_cli
    from services.ingestor import cli as ingestor_cli

    for module in (infra_cli, ingestor_cli, enricher_cli, alerter_cli, indexer_cli, ops_cli, bench_cli):
        module.register(app)


_register_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
