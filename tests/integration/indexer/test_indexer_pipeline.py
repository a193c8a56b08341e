"""Acceptance: what Kafka holds is searchable in Elasticsearch, counts match, replays change nothing, poison is
dead-lettered while its neighbours are indexed."""

from __future__ import annotations

import json

import pytest
from elasticsearch import AsyncElasticsearch
from indexer_helpers import count, produce, produce_raw, read_topic, wait_for
from pydantic import BaseModel

from newsmon.contracts import Claim, DeadLetter, NumericFact, place_record_adapter
from newsmon.contracts.topics import ALERTS, ARTICLES_ENRICHED, CLAIMS_BY_PLACE, DLQ
from services.indexer import samples
from services.indexer.mappings import load_specs
from services.indexer.search import SearchRequest, run_search
from services.indexer.settings import IndexerSettings

pytestmark = pytest.mark.integration


def seed_like_records() -> list[tuple[str, str, BaseModel]]:
    records: list[tuple[str, str, BaseModel]] = []
    for number in range(1, 6):
        article = samples.enriched_article(number)
        records.append((ARTICLES_ENRICHED.name, article.id, article))
        for item in (*article.claims, *article.facts):
            key = item.place.id if isinstance(item, Claim) else item.places[0].id
            records.append((CLAIMS_BY_PLACE.name, key, item))
    for number in range(6, 9):  # claims about Pokrovsk from Russian and Ukrainian speakers, a month later
        later = samples.JANUARY_6.replace(month=2)
        speaker = samples.RU_MOD if number % 2 else samples.TREHUBOV
        predicate = "advancing_toward" if number % 2 else "not_captured"
        claim = samples.claim(number, samples.POKROVSK, predicate, speaker, published=later, outlet="Reuters")
        records.append((CLAIMS_BY_PLACE.name, claim.place.id, claim))
    kurakhove = samples.alert_event(1)
    for version in (1, 3, 2):  # v2 arrives after v3: it must not overwrite it
        records.append((ALERTS.name, kurakhove.alert.id, samples.alert_event(version)))
    pokrovsk = samples.alert_event(1, samples.POKROVSK)
    records.append((ALERTS.name, pokrovsk.alert.id, pokrovsk))
    for number in range(1, 3):
        letter = samples.dead_letter(number)
        records.append((DLQ.name, letter.key or letter.id, letter))
    return records


def poisoned_claim(number: int = 99) -> Claim:
    """Valid for the contract, refused by Elasticsearch: a latitude of 123° is not a geo_point."""
    place = samples.POKROVSK.model_copy(update={"lat": 123.0, "id": "999999", "geonames_id": 999999})
    return samples.claim(number, place, "captured")


async def _kafka_ids(settings: IndexerSettings) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {"articles": set(), "claims": set(), "facts": set(), "alerts": set(), "dl": set()}
    for value in await read_topic(settings.kafka, ARTICLES_ENRICHED.name):
        ids["articles"].add(json.loads(value)["id"])
    for value in await read_topic(settings.kafka, CLAIMS_BY_PLACE.name):
        try:
            record = place_record_adapter.validate_json(value)
        except ValueError:
            continue
        ids["claims" if isinstance(record, Claim) else "facts"].add(record.id)
    for value in await read_topic(settings.kafka, ALERTS.name):
        ids["alerts"].add(json.loads(value)["alert"]["id"])
    for value in await read_topic(settings.kafka, DLQ.name):
        ids["dl"].add(DeadLetter.model_validate_json(value).id)
    return ids


async def test_everything_is_searchable_counts_match_and_replay_changes_nothing(
    settings: IndexerSettings, es: AsyncElasticsearch, run_indexer, prefix: str
) -> None:
    records = seed_like_records()
    poison, second_poison = poisoned_claim(), poisoned_claim(98)  # same place, same error: two dead letters
    records.insert(3, (CLAIMS_BY_PLACE.name, poison.place.id, poison))
    records.insert(9, (CLAIMS_BY_PLACE.name, second_poison.place.id, second_poison))
    indexer = await run_indexer(settings)
    await produce(settings.kafka, records)
    await produce_raw(settings.kafka, CLAIMS_BY_PLACE.name, b"704422", b'{"type": "claim", "id": 42}')

    claims_expected = sum(1 for _, _, value in records if isinstance(value, Claim)) - 2
    facts_expected = sum(1 for _, _, value in records if isinstance(value, NumericFact))

    async def settled() -> bool:
        return (
            await count(es, f"{prefix}news-claims") == claims_expected
            and await count(es, f"{prefix}news-deadletters") == 5  # two samples, two poisoned, the garbled
            and await count(es, f"{prefix}news-alerts") == 2
            and await count(es, f"{prefix}news-facts") == facts_expected
            and await count(es, f"{prefix}news-articles") == 5
        )

    await wait_for(settled, 60, "every record to be indexed or dead-lettered")
    await indexer.stop()

    # The poisoned claim and the garbled record are in the dead-letter topic with Elasticsearch's reason.
    letters = [DeadLetter.model_validate_json(value) for value in await read_topic(settings.kafka, DLQ.name)]
    refused = [letter for letter in letters if letter.service == "indexer" and letter.stage == "index"]
    assert sorted(letter.key or "" for letter in refused) == sorted([poison.id, second_poison.id])
    refused = [letter for letter in refused if letter.key == poison.id]
    assert poison.id in refused[0].reason
    assert "location" in refused[0].reason
    assert refused[0].payload is not None
    assert poison.id in refused[0].payload
    garbled = [letter for letter in letters if letter.service == "indexer" and letter.stage == "decode"]
    assert [letter.error_kind for letter in garbled] == ["invalid_message"]

    # Counts in Elasticsearch equal counts in Kafka (distinct ids; the poisoned claims are in the dead letters).
    ids = await _kafka_ids(settings)
    assert await count(es, f"{prefix}news-claims") == len(ids["claims"]) - 2
    assert await count(es, f"{prefix}news-facts") == len(ids["facts"])
    assert await count(es, f"{prefix}news-articles") == len(ids["articles"])
    assert await count(es, f"{prefix}news-alerts") == len(ids["alerts"])
    assert await count(es, f"{prefix}news-deadletters") == len(ids["dl"])

    # The newest alert version won although an older event came after it.
    kurakhove = await es.get(index=f"{prefix}news-alerts", id=samples.alert_event(1).alert.id)
    assert kurakhove["_source"]["version"] == 3

    await _searchable(es, prefix)

    # Replay from the beginning with a fresh consumer group: every document overwrites itself.
    replay = settings.model_copy(
        update={"indexer": settings.indexer.model_copy(update={"group": f"{prefix}indexer-replay"})}
    )
    before = {name: await count(es, f"{prefix}news-{name}") for name in ("claims", "facts", "articles", "alerts")}
    replayer = await run_indexer(replay)
    total = len(records) + 1 + len(letters)  # + the garbled record

    async def replayed() -> bool:
        return replayer.indexer is not None and replayer.indexer.stats.records >= total

    await wait_for(replayed, 60, "the replay to read every record")
    await replayer.stop()
    after = {name: await count(es, f"{prefix}news-{name}") for name in ("claims", "facts", "articles", "alerts")}
    assert after == before
    assert await count(es, f"{prefix}news-deadletters") == len(
        {DeadLetter.model_validate_json(v).id for v in await read_topic(settings.kafka, DLQ.name)}
    )
    assert (await es.get(index=f"{prefix}news-alerts", id=samples.alert_event(1).alert.id))["_source"]["version"] == 3


async def _searchable(es: AsyncElasticsearch, prefix: str) -> None:
    specs = load_specs()

    async def total(**options: object) -> int:
        index = options.pop("index", "claims")
        request = SearchRequest(index=index, **options)  # type: ignore[arg-type]
        return (await run_search(es, specs[request.index], prefix, request)).total

    assert await total(place="Pokrovsk") == 3
    assert await total(place="Donetsk") == 13  # by oblast: every valid claim is in Donetsk oblast
    assert await total(predicates=("contested",)) == 5
    assert await total(predicates=("contested",), sides=("ua",)) == 5
    assert await total(sides=("RU",), place="Kurakhove") == 5
    assert await total(since="2025-02-01") == 3  # the Pokrovsk claims are about February
    assert await total(until="2025-01-31") == 10
    assert await total(near=(48.28, 37.18), within="5km") == 3  # Pokrovsk only
    assert await total(near=(48.28, 37.18), within="40km") == 13  # Kurakhove is ~33 km away
    assert await total(said_by="Defense Ministry", outlet="Reuters") == 1
    assert await total(index="alerts", status="open", near=(47.98, 37.28), within="10km") == 1
    assert await total(index="articles", place="Pokrovsk") == 5
    assert await total(index="facts", kind="distance") == 5
    assert await total(index="deadletters", text="service:indexer") == 3
