"""The service's bookkeeping: ids known across feeds, and which state changes are worth a Kafka write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsmon.contracts import FeedState
from services.ingestor.app import state_needs_write
from services.ingestor.state import KnownIds

NOW = datetime(2025, 1, 7, tzinfo=UTC)


def test_known_ids_follow_every_feed_state_and_in_flight_reservations() -> None:
    known = KnownIds()
    a1 = FeedState(feed="a", seen_ids=("x", "y"))
    b1 = FeedState(feed="b", seen_ids=("y", "z"))
    known.replace(None, a1)
    known.replace(None, b1)
    assert all(i in known for i in "xyz")
    known.replace(a1, FeedState(feed="a", seen_ids=("w",)))
    assert "x" not in known
    assert "y" in known  # still remembered by feed b
    known.reserve(["q"])
    assert "q" in known
    known.release(["q"])
    assert "q" not in known


def test_only_changes_a_restart_needs_are_written() -> None:
    state = FeedState(feed="a", etag='"1"', seen_ids=("x",), last_polled=NOW, next_poll=NOW)
    later = state.model_copy(update={"last_polled": NOW + timedelta(hours=1), "next_poll": NOW + timedelta(hours=2)})
    assert not state_needs_write(state, later)
    assert state_needs_write(state, later.model_copy(update={"etag": '"2"'}))
    assert state_needs_write(state, later.model_copy(update={"seen_ids": ("x", "y")}))
    assert state_needs_write(state, later.model_copy(update={"failures": 1, "last_error": "http_500: HTTP 500"}))
