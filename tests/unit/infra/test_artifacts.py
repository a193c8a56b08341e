"""Pinned artifacts: the jar set must match exactly, and unpacking keeps what must stay executable."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

import pytest

from newsmon.errors import ConfigurationError
from newsmon.infra import artifacts, versions


def _jar(directory: Path, name: str, content: bytes) -> str:
    (directory / name).write_bytes(content)
    return hashlib.sha256(content).hexdigest()


def test_a_matching_jar_set_passes(tmp_path: Path) -> None:
    pins = {"a-1.jar": _jar(tmp_path, "a-1.jar", b"a"), "b-2.jar": _jar(tmp_path, "b-2.jar", b"b")}
    artifacts.verify_jar_set(tmp_path, pins)


def test_missing_unpinned_and_altered_jars_are_all_named(tmp_path: Path) -> None:
    pins = {"a-1.jar": _jar(tmp_path, "a-1.jar", b"a"), "gone-1.jar": "0" * 64}
    _jar(tmp_path, "extra-1.jar", b"x")
    pins["a-1.jar"] = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(ConfigurationError) as failure:
        artifacts.verify_jar_set(tmp_path, pins)
    message = str(failure.value)
    assert "missing gone-1.jar" in message
    assert "not pinned extra-1.jar" in message
    assert "checksum differs for a-1.jar" in message


def test_unzip_keeps_the_executable_bit(tmp_path: Path) -> None:
    archive = tmp_path / "dist.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        script = zipfile.ZipInfo("dist/bin/run")
        script.external_attr = (stat.S_IFREG | 0o755) << 16
        zipped.writestr(script, "#!/bin/sh\n")
        zipped.writestr("dist/README", "text")
    artifacts.extract_zip_with_modes(archive, tmp_path / "out")
    assert (tmp_path / "out/dist/bin/run").stat().st_mode & 0o111 == 0o111
    assert (tmp_path / "out/dist/README").read_text() == "text"


def test_unzip_refuses_entries_outside_the_destination(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../escaped", "x")
    with pytest.raises(ConfigurationError, match="outside its root"):
        artifacts.extract_zip_with_modes(archive, tmp_path / "out")
    assert not (tmp_path / "escaped").exists()


def test_pins_cover_kafka_its_logging_binding_and_elasticsearch() -> None:
    jars = versions.KAFKA_JARS
    assert f"kafka_{versions.SCALA_BINARY_VERSION}-{versions.KAFKA_VERSION}.jar" in jars
    assert f"log4j-slf4j-impl-{versions.LOG4J_VERSION}.jar" in jars
    assert f"log4j-core-{versions.LOG4J_VERSION}.jar" in jars
    assert all(len(digest) == 64 and int(digest, 16) >= 0 for digest in jars.values())
    assert versions.KAFKA_VERSION.startswith("4.")
    assert len(versions.ELASTICSEARCH_ZIP_SHA256) == 64
    assert versions.ELASTICSEARCH_DISTRIBUTION.packaging == "zip"
    assert versions.KIBANA_VERSION == versions.ELASTICSEARCH_VERSION


def test_installed_cache_is_used_without_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    libs = artifacts.kafka_libs_dir(tmp_path)
    libs.mkdir(parents=True)
    (libs / artifacts.COMPLETE_MARKER).write_text(versions.KAFKA_VERSION)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))  # a Maven call would now fail loudly
    assert artifacts.ensure_kafka(tmp_path) == (libs, False)


def test_missing_maven_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match="apt-get install -y maven"):
        artifacts.require_maven()
