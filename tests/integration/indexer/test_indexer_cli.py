"""The commands as a user types them: `newsmon es apply`, `newsmon search`, `newsmon reindex` on the real node."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmon.cli import app
from newsmon.settings import ElasticsearchSettings
from services.indexer import samples
from services.indexer.app import alias_resolver
from services.indexer.documents import claim_document
from services.indexer.es import elasticsearch_client
from services.indexer.mappings import load_specs, remove_all
from services.indexer.sink import ElasticsearchSink

pytestmark = pytest.mark.integration


async def _index_sample_claims(es_url: str, prefix: str) -> None:
    client = elasticsearch_client(ElasticsearchSettings(url=es_url))
    try:
        sink = ElasticsearchSink(client, alias_resolver(load_specs(), prefix), refresh=True)
        claims = [samples.claim(1, samples.POKROVSK), samples.claim(2, samples.POKROVSK, "contested", samples.TREHUBOV)]
        await sink.write([claim_document(claim) for claim in [*claims, samples.claim(3)]])
    finally:
        await client.close()


async def _clean(es_url: str, prefix: str) -> None:
    client = elasticsearch_client(ElasticsearchSettings(url=es_url))
    try:
        await remove_all(client, prefix)
    finally:
        await client.close()


def test_es_apply_then_search_from_the_command_line(es_url: str, prefix: str) -> None:
    env = {"NEWSMON_ELASTICSEARCH__URL": es_url, "NEWSMON_ELASTICSEARCH__INDEX_PREFIX": prefix}
    runner = CliRunner()
    try:
        first = runner.invoke(app, ["es", "apply", "--json"], env=env)
        assert first.exit_code == 0, first.output
        assert {result["action"] for result in json.loads(first.output)} == {"created"}
        again = runner.invoke(app, ["es", "apply", "--json"], env=env)
        assert {result["action"] for result in json.loads(again.output)} == {"unchanged"}

        asyncio.run(_index_sample_claims(es_url, prefix))
        found = runner.invoke(
            app, ["search", "--place", "Pokrovsk", "--side", "RU", "--agg", "predicate", "--json"], env=env
        )
        assert found.exit_code == 0, found.output
        answer = json.loads(found.output)
        assert answer["total"] == 1
        assert answer["hits"][0]["said_by"] == "Russian Defense Ministry"
        assert answer["counts"]["predicate"] == [["captured", 1]]
        table = runner.invoke(app, ["search", "--near", "48.28,37.18", "--within", "10km"], env=env)
        assert "2 claims" in table.output
        wrong = runner.invoke(app, ["search", "--near", "Pokrovsk"], env=env)
        assert wrong.exit_code != 0
        assert "LAT,LON" in wrong.output
    finally:
        asyncio.run(_clean(es_url, prefix))


DOCS = Path(__file__).resolve().parents[3] / "docs" / "indexer.md"


def test_every_search_example_in_the_docs_runs(es_url: str, prefix: str) -> None:
    commands = re.findall(r"`(newsmon search[^`]*)`", DOCS.read_text(encoding="utf-8"))
    assert len(commands) >= 10
    env = {"NEWSMON_ELASTICSEARCH__URL": es_url, "NEWSMON_ELASTICSEARCH__INDEX_PREFIX": prefix}
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["es", "apply"], env=env).exit_code == 0
        asyncio.run(_index_sample_claims(es_url, prefix))
        for command in commands:
            result = runner.invoke(app, [*shlex.split(command)[1:], "--json"], env=env)
            assert result.exit_code == 0, f"{command}: {result.output}"
            assert "total" in json.loads(result.output)
    finally:
        asyncio.run(_clean(es_url, prefix))
