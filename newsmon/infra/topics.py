"""`newsmon topics apply`: make the broker's topics match the topic table, and say what changed.

Idempotent: a second run reports every topic ``unchanged``. Partitions may grow; Kafka cannot shrink them, so a
table asking for fewer than exist is refused with the way out (a new topic name, or deleting the topic).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newsmon.contracts import TOPICS, Topic
from newsmon.errors import ConfigurationError, TransientError
from newsmon.kafka import connection_options
from newsmon.settings import KafkaSettings

logger = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36


@dataclass(frozen=True)
class TopicOutcome:
    topic: str
    action: str  # created | updated | unchanged | refused
    detail: str = ""


def admin_client_options(settings: KafkaSettings) -> dict[str, Any]:
    return {**connection_options(settings), "client_id": f"{settings.client_id}-admin", "request_timeout_ms": 30_000}


def plan_partitions(topic: str, wanted: int, current: int) -> TopicOutcome | None:
    """What to do about the partition count alone; None when it already matches."""
    if current == wanted:
        return None
    if current > wanted:
        return TopicOutcome(
            topic,
            "refused",
            f"has {current} partitions, the table asks for {wanted}: Kafka cannot remove partitions. Keep "
            f"{current} in newsmon/contracts/topics.py, or delete the topic (losing its records) and apply again",
        )
    return TopicOutcome(topic, "updated", f"partitions {current} → {wanted}")


def config_changes(wanted: dict[str, str], current: dict[str, str]) -> dict[str, tuple[str | None, str]]:
    return {key: (current.get(key), value) for key, value in wanted.items() if current.get(key) != value}


async def apply_topics(settings: KafkaSettings, topics: Sequence[Topic] = TOPICS) -> list[TopicOutcome]:
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaConnectionError, KafkaError

    admin = AIOKafkaAdminClient(**admin_client_options(settings))
    try:
        await admin.start()
    except KafkaConnectionError as exc:
        raise TransientError(
            f"cannot reach Kafka at {settings.bootstrap}: start it with `newsmon infra up` or set "
            "NEWSMON_KAFKA__BOOTSTRAP"
        ) from exc
    try:
        return [await _apply_one(admin, settings.topic(topic.name), topic) for topic in topics]
    except KafkaError as exc:
        raise TransientError(f"applying topics on {settings.bootstrap} failed: {exc!r}") from exc
    finally:
        await admin.close()


async def _apply_one(admin: Any, name: str, topic: Topic) -> TopicOutcome:
    from aiokafka.admin import NewPartitions, NewTopic

    existing = await admin.list_topics()
    if name not in existing:
        brokers = len((await admin.describe_cluster()).get("brokers", [])) or 1
        replication = min(3, brokers)
        new_topic = NewTopic(
            name, num_partitions=topic.partitions, replication_factor=replication, topic_configs=topic.config
        )
        response = await admin.create_topics([new_topic])
        for _topic, code, message in response.topic_errors:
            if code == TOPIC_ALREADY_EXISTS:  # created concurrently by another `apply`: compare it below
                break
            if code != 0:
                raise ConfigurationError(f"creating topic {name} failed: error {code} {message}")
        else:
            await partition_count(admin, name)  # wait until the broker serves its metadata
            logger.info("topic %s created", name)
            return TopicOutcome(
                name, "created", f"{topic.partitions} partitions, replication {replication}, {_describe(topic.config)}"
            )

    current_partitions = await partition_count(admin, name)
    partition_plan = plan_partitions(name, topic.partitions, current_partitions)
    if partition_plan is not None and partition_plan.action == "refused":
        return partition_plan

    changes = config_changes(topic.config, await _topic_config(admin, name))
    details = []
    if partition_plan is not None:
        await admin.create_partitions({name: NewPartitions(topic.partitions)})
        details.append(partition_plan.detail)
    if changes:
        await _alter_config(admin, name, topic.config)
        details += [f"{key} {old} → {new}" for key, (old, new) in changes.items()]
    if not details:
        return TopicOutcome(name, "unchanged")
    logger.info("topic %s updated: %s", name, "; ".join(details))
    return TopicOutcome(name, "updated", "; ".join(details))


async def partition_count(admin: Any, name: str, attempts: int = 50) -> int:
    """Partitions of a topic, waiting out the moment after creation when its metadata is not served yet."""
    for _ in range(attempts):
        (described,) = await admin.describe_topics([name])
        partitions = described["partitions"]
        if described["error_code"] == 0 and partitions and all(p["leader"] >= 0 for p in partitions):
            return len(partitions)
        await asyncio.sleep(0.1)
    raise TransientError(f"the broker did not describe topic {name} (error {described['error_code']}) in time")


async def _topic_config(admin: Any, name: str) -> dict[str, str]:
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    config: dict[str, str] = {}
    for response in responses:
        for resource in response.resources:
            error_code, error_message, _type, _name, entries = resource[:5]
            if error_code != 0:
                raise ConfigurationError(f"reading the config of topic {name} failed: {error_message}")
            for entry in entries:
                config[entry[0]] = entry[1]
    return config


async def _alter_config(admin: Any, name: str, config: dict[str, str]) -> None:
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    responses = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, configs=config)])
    for response in responses:
        for error_code, error_message, *_rest in response.resources:
            if error_code != 0:
                raise ConfigurationError(f"changing the config of topic {name} failed: {error_message}")


def _describe(config: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(config.items()))
