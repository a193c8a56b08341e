"""Muting places: durations, resolution of the place, and which alerts a silence mutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsmon.contracts.deliveries import PlaceSilence
from services.alerter.silence import ResolvedPlace, SilenceBook, new_silence, parse_duration, resolve_place
from services.alerter.webhook_samples import KURAKHOVE, KURSK, POKROVSK, alert_event

NOW = datetime(2025, 1, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6h", timedelta(hours=6)),
        ("30m", timedelta(minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(hours=1.5)),
        (" 6H ", timedelta(hours=6)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "6", "six hours", "6x", "0h", "h6", "6h later"])
def test_unreadable_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def silence_on(place_id: str | None, name: str, hours: float = 6) -> PlaceSilence:
    return new_silence(ResolvedPlace(place_id, name, "test"), timedelta(hours=hours), NOW, reason="flood of updates")


class TestSilenceBook:
    def test_a_silence_by_geonames_id_mutes_alerts_about_that_place(self) -> None:
        book = SilenceBook()
        silence = silence_on("704508", "Kurakhove")
        book.apply(silence.key, silence)
        assert book.silencing(alert_event(place=KURAKHOVE).alert, NOW) == silence
        assert book.silencing(alert_event(place=KURSK).alert, NOW) is None

    def test_a_name_only_silence_mutes_by_name_case_insensitively(self) -> None:
        book = SilenceBook()
        silence = silence_on(None, "KURAKHOVE")
        assert silence.key == "name:kurakhove"
        book.apply(silence.key, silence)
        assert book.silencing(alert_event(place=KURAKHOVE).alert, NOW) == silence

    def test_a_silenced_related_place_mutes_a_numeric_discrepancy(self) -> None:
        book = SilenceBook()
        silence = silence_on(POKROVSK.id, POKROVSK.name)
        book.apply(silence.key, silence)
        event = alert_event(place=KURAKHOVE, kind="numeric_discrepancy", severity="low", related=(POKROVSK,))
        assert book.silencing(event.alert, NOW) == silence

    def test_a_silence_ends_at_its_until(self) -> None:
        book = SilenceBook()
        silence = silence_on("704508", "Kurakhove", hours=1)
        book.apply(silence.key, silence)
        assert book.silencing(alert_event().alert, NOW + timedelta(minutes=59)) is not None
        assert book.silencing(alert_event().alert, NOW + timedelta(hours=1)) is None
        assert book.active(NOW + timedelta(hours=2)) == []
        assert book.all() == [silence]

    def test_a_tombstone_lifts_the_silence(self) -> None:
        book = SilenceBook()
        silence = silence_on("704508", "Kurakhove")
        book.apply(silence.key, silence)
        book.apply(silence.key, None)
        assert book.silencing(alert_event().alert, NOW) is None

    def test_a_later_silence_on_the_same_place_replaces_the_earlier(self) -> None:
        book = SilenceBook()
        book.apply("704508", silence_on("704508", "Kurakhove", hours=6))
        book.apply("704508", silence_on("704508", "Kurakhove", hours=1))
        assert book.active(NOW)[0].until == NOW + timedelta(hours=1)

    def test_keys_for_finds_silences_made_by_id_or_by_name(self) -> None:
        book = SilenceBook()
        by_id, by_name = silence_on("704508", "Kurakhove"), silence_on(None, "kurakhove")
        book.apply(by_id.key, by_id)
        book.apply(by_name.key, by_name)
        assert book.keys_for("704508", "Kurakhove") == {"704508", "name:kurakhove"}


class TestResolvePlace:
    def test_a_geonames_id_is_taken_as_the_key(self) -> None:
        resolved = resolve_place("704508")
        assert (resolved.place_id, resolved.key, resolved.how) == ("704508", "704508", "geonames id")

    def test_an_unknown_name_is_kept_as_a_name_only_silence(self) -> None:
        resolved = resolve_place("Nowhere-on-any-map")
        assert (resolved.place_id, resolved.how) == (None, "name only")
        assert resolved.key == "name:nowhere-on-any-map"

    def test_a_name_is_resolved_with_the_enricher_gazetteer_when_there_is_one(self) -> None:
        pytest.importorskip("services.enricher.gazetteer")
        resolved = resolve_place("Kurakhovo")
        assert (resolved.name, resolved.how) == ("Kurakhove", "gazetteer")
        assert resolved.place_id is not None
        assert resolved.key == resolved.place_id
