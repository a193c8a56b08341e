"""Root fixtures: the real Kafka broker and Elasticsearch node, and per-test names and settings.

* ``kafka_bootstrap`` / ``es_url`` (session): servers named by ``NEWSMON_KAFKA_BOOTSTRAP`` / ``NEWSMON_ES_URL`` when
  set (e.g. the shared dev stack: ``127.0.0.1:9092`` / ``http://127.0.0.1:9200``); otherwise a broker and a node of
  this session's own, on free ports in a temporary run directory, started on first use (both at once when the
  session needs both) and stopped at the end. If they cannot start, the tests that need them are skipped — except
  under ``CI=true``, where that is a failure.
* ``unique_prefix``: a random short prefix (``t1a2b3c4d-``) for topics, consumer groups and indices.
* ``common_settings``: factory building ``CommonSettings`` (or a subclass) wired to those servers with the test's
  prefix, e.g. ``common_settings(IngestorSettings, kafka={"client_id": "x"})``. A section given as a dict updates the
  wired one; given as a model it replaces it. Servers are wired (and started) for the ones the test requests as
  fixtures; an ``integration``/``e2e`` test that requests neither gets both.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import pytest

from newsmon.settings import CommonSettings, ElasticsearchSettings, InfraSettings, KafkaSettings

ServerName = Literal["kafka", "elasticsearch"]
ENVIRONMENT = {"kafka": "NEWSMON_KAFKA_BOOTSTRAP", "elasticsearch": "NEWSMON_ES_URL"}
FIXTURE = {"kafka": "kafka_bootstrap", "elasticsearch": "es_url"}
SERVER_TIERS = ("integration", "e2e")
# Other processes on the machine may grab a free port between our probe and the server's bind.
PORT_CLASH = re.compile(r"already taken|Address already in use|BindException", re.IGNORECASE)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


class SessionServers:
    """Starts each server at most once per session, on first demand; the other one alongside if the session needs it."""

    def __init__(self, session: pytest.Session) -> None:
        self._session = session
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-infra")
        self._futures: dict[ServerName, Future[str]] = {}
        self._running: list[Any] = []
        self._run_dir: Path | None = None

    def address(self, name: ServerName) -> str:
        from_env = os.environ.get(ENVIRONMENT[name])
        if from_env:
            return from_env
        with self._lock:
            if self._run_dir is None:
                # Not pytest's tmp_path: that is mode 0700, and the Elasticsearch user must be able to enter it.
                self._run_dir = Path(tempfile.mkdtemp(prefix="newsmon-test-stack-"))
                self._run_dir.chmod(0o755)
            for wanted in (name, *self._also_needed(name)):
                if wanted not in self._futures and not os.environ.get(ENVIRONMENT[wanted]):
                    self._futures[wanted] = self._pool.submit(self._start, wanted)
        try:
            return self._futures[name].result()
        except Exception as exc:
            message = f"the real {name} could not be started for the tests: {exc}"
            if _in_ci():
                pytest.fail(message, pytrace=False)
            pytest.skip(f"{message} — or set {ENVIRONMENT[name]} to reuse a running one")

    def stop_all(self) -> None:
        for future in self._futures.values():
            future.exception()  # wait for starts still under way, so nothing is left behind
        for server in self._running:
            server.stop()
        self._pool.shutdown(wait=True)
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)

    def _also_needed(self, name: ServerName) -> list[ServerName]:
        other: ServerName = "elasticsearch" if name == "kafka" else "kafka"
        for item in self._session.items:
            names = getattr(item, "fixturenames", ())
            implicit = "common_settings" in names and any(item.get_closest_marker(m) for m in SERVER_TIERS)
            if FIXTURE[other] in names or (implicit and FIXTURE[name] not in names):
                return [other]
        return []

    def _start(self, name: ServerName) -> str:
        from newsmon.infra.local_es import LocalElasticsearch
        from newsmon.infra.local_kafka import LocalKafka
        from newsmon.infra.processes import free_port

        assert self._run_dir is not None
        for attempt in range(3):
            settings = InfraSettings(
                run_dir=self._run_dir / f"{name}-{attempt}",
                kafka_port=free_port(),
                kafka_controller_port=free_port(),
                es_port=free_port(),
                es_transport_port=free_port(),
            )
            server = LocalKafka(settings) if name == "kafka" else LocalElasticsearch(settings)
            try:
                server.start()
            except Exception as exc:
                if attempt < 2 and PORT_CLASH.search(str(exc)):
                    continue
                raise
            self._running.append(server)
            return server.bootstrap if isinstance(server, LocalKafka) else server.url
        raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def session_servers(request: pytest.FixtureRequest) -> Iterator[SessionServers]:
    servers = SessionServers(request.session)
    yield servers
    servers.stop_all()


@pytest.fixture(scope="session")
def kafka_bootstrap(session_servers: SessionServers) -> str:
    """Bootstrap servers of a real Kafka broker."""
    return session_servers.address("kafka")


@pytest.fixture(scope="session")
def es_url(session_servers: SessionServers) -> str:
    """Base URL of a real Elasticsearch node."""
    return session_servers.address("elasticsearch")


@pytest.fixture
def unique_prefix() -> str:
    """Random prefix for the topics, groups and indices of one test: valid in Kafka names and ES index names."""
    return f"t{secrets.token_hex(4)}-"


SettingsFactory = Callable[..., Any]


@pytest.fixture
def common_settings(request: pytest.FixtureRequest, unique_prefix: str) -> SettingsFactory:
    """Factory: ``common_settings([SettingsClass], **sections)``; the class is positional (default CommonSettings)."""
    names = request.fixturenames
    in_server_tier = any(request.node.get_closest_marker(m) for m in SERVER_TIERS)
    requested = {name for name in ("kafka", "elasticsearch") if FIXTURE[name] in names}
    wired = requested or ({"kafka", "elasticsearch"} if in_server_tier else set())

    def build(settings_class: type[CommonSettings] = CommonSettings, /, **overrides: Any) -> Any:
        kafka = KafkaSettings(topic_prefix=unique_prefix)
        elasticsearch = ElasticsearchSettings(index_prefix=unique_prefix)
        if "kafka" in wired and not isinstance(overrides.get("kafka"), KafkaSettings):
            kafka = kafka.model_copy(update={"bootstrap": request.getfixturevalue("kafka_bootstrap")})
        if "elasticsearch" in wired and not isinstance(overrides.get("elasticsearch"), ElasticsearchSettings):
            elasticsearch = elasticsearch.model_copy(update={"url": request.getfixturevalue("es_url")})
        sections: dict[str, Any] = {"kafka": kafka, "elasticsearch": elasticsearch}
        for key, value in overrides.items():
            base = sections.get(key)
            if isinstance(value, dict) and base is not None:
                sections[key] = base.model_validate({**base.model_dump(), **value})
            else:
                sections[key] = value
        return settings_class(**sections)

    return build
