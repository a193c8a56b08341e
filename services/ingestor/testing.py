"""An in-memory ``Committer`` for tests and for running the scheduler without Kafka (``newsmon demo``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from newsmon.contracts import DeadLetter, FeedState, RawArticle
from newsmon.errors import TransientError


@dataclass(frozen=True)
class Commit:
    articles: tuple[RawArticle, ...]
    letters: tuple[DeadLetter, ...]
    state: FeedState


@dataclass
class RecordingCommitter:
    """Keeps every commit in order; ``fail_next = n`` makes the next n commits fail as a broker outage would."""

    commits: list[Commit] = field(default_factory=list)
    fail_next: int = 0

    async def commit(self, articles: Sequence[RawArticle], letters: Sequence[DeadLetter], state: FeedState) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise TransientError("commit refused by the test")
        self.commits.append(Commit(tuple(articles), tuple(letters), state))

    @property
    def articles(self) -> list[RawArticle]:
        return [article for commit in self.commits for article in commit.articles]

    @property
    def letters(self) -> list[DeadLetter]:
        return [letter for commit in self.commits for letter in commit.letters]

    @property
    def states(self) -> dict[str, FeedState]:
        """The last committed state of each feed."""
        return {commit.state.feed: commit.state for commit in self.commits}
