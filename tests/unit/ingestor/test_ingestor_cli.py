"""The ingestor's commands: ``newsmon feeds check`` and ``newsmon feeds import``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from services.ingestor.cli import register
from services.ingestor.feeds import load_feeds

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "feeds"
runner = CliRunner()
app = typer.Typer()  # only this part's commands: the test does not depend on the other services' CLIs
register(app)

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared feed corpus is not at {CORPUS}")


@needs_corpus
def test_check_reports_items_and_problems_as_json_and_succeeds_on_a_usable_feed() -> None:
    result = runner.invoke(app, ["feeds", "check", "--json", str(CORPUS / "outlets/heise-online_rss090-rdf.xml")])
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert report["usable"] is True
    assert len(report["items"]) == 60
    assert {"id", "link", "published", "title"} <= set(report["items"][0])
    assert {p["kind"] for p in report["problems"]} == {"missing_date"}


@needs_corpus
def test_check_exits_non_zero_only_when_a_feed_yields_nothing() -> None:
    usable = str(CORPUS / "outlets/uol-noticias.rss")
    empty = str(CORPUS / "feedparser/tests/illformed/rss_empty_document.xml")
    assert runner.invoke(app, ["feeds", "check", usable]).exit_code == 0
    result = runner.invoke(app, ["feeds", "check", usable, empty])
    assert result.exit_code == 1
    assert "nothing usable" in result.output
    assert "encoding_mismatch" in result.output


def test_check_of_an_unreachable_url_is_a_problem_not_a_crash() -> None:
    result = runner.invoke(app, ["feeds", "check", "--json", "http://10.255.255.1/feed"])
    assert result.exit_code == 1
    [report] = json.loads(result.output)
    assert report["problems"][0]["kind"] == "blocked_address"


def test_import_adds_the_feeds_of_an_opml_file(tmp_path: Path) -> None:
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="War">'
        '<outline type="rss" text="Desk" xmlUrl="https://desk.example/rss"/></outline></body></opml>'
    )
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text("feeds:\n  - url: https://mine.example/rss\n")
    dry = runner.invoke(app, ["feeds", "import", str(opml), "--into", str(feeds_file), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert len(load_feeds(feeds_file)) == 1
    result = runner.invoke(app, ["feeds", "import", str(opml), "--into", str(feeds_file)])
    assert result.exit_code == 0, result.output
    feeds = load_feeds(feeds_file)
    assert [(f.url, f.tags) for f in feeds] == [
        ("https://mine.example/rss", ()),
        ("https://desk.example/rss", ("War",)),
    ]
