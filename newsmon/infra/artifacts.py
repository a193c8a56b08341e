"""Fetch the pinned Kafka jars and Elasticsearch distribution once, verify them, keep them in the cache.

Downloads go through the machine's own Maven (``mvn``), so whatever repository mirror or proxy it is configured with
applies; newsmon names no repository host itself. Everything lands in ``<cache>/`` only after its checksum matched,
and a marker file records a finished install, so a second run touches neither Maven nor the network.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from newsmon.errors import ConfigurationError
from newsmon.infra import versions
from newsmon.infra.versions import ElasticsearchRelease, MavenCoordinate

logger = logging.getLogger(__name__)

COMPLETE_MARKER = ".newsmon-complete"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def kafka_libs_dir(cache_dir: Path) -> Path:
    return cache_dir / f"kafka-{versions.KAFKA_VERSION}" / "libs"


def elasticsearch_home(cache_dir: Path, release: ElasticsearchRelease = versions.ELASTICSEARCH) -> Path:
    return cache_dir / f"elasticsearch-{release.version}"


def is_installed(directory: Path) -> bool:
    return (directory / COMPLETE_MARKER).is_file()


def ensure_kafka(cache_dir: Path) -> tuple[Path, bool]:
    """Directory of the verified Kafka runtime jars, and whether they had to be downloaded."""
    libs = kafka_libs_dir(cache_dir)
    if is_installed(libs):
        return libs, False
    with tempfile.TemporaryDirectory(prefix="kafka-", dir=_ensure_dir(cache_dir)) as work:
        staging = Path(work) / "libs"
        _maven_copy_dependencies(versions.KAFKA_ROOTS, staging, Path(work))
        verify_jar_set(staging, versions.KAFKA_JARS)
        (staging / COMPLETE_MARKER).write_text(versions.KAFKA_VERSION + "\n")
        if libs.exists():
            shutil.rmtree(libs)
        libs.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(libs)
    logger.info("kafka %s jars installed in %s", versions.KAFKA_VERSION, libs)
    return libs, True


def ensure_elasticsearch(cache_dir: Path, release: ElasticsearchRelease = versions.ELASTICSEARCH) -> tuple[Path, bool]:
    """Home of the unpacked, verified Elasticsearch distribution, and whether it had to be fetched."""
    home = elasticsearch_home(cache_dir, release)
    if is_installed(home):
        return home, False
    with tempfile.TemporaryDirectory(prefix="elasticsearch-", dir=_ensure_dir(cache_dir)) as work:
        zip_path = _maven_copy(release.distribution, Path(work))
        actual = sha256_of(zip_path)
        if actual != release.zip_sha256:
            raise ConfigurationError(
                f"{zip_path.name} has SHA-256 {actual}, expected {release.zip_sha256} "
                "(newsmon/infra/versions.py). Delete it from ~/.m2/repository and run again; if it persists, "
                "the repository Maven uses serves a different file."
            )
        unpacked = Path(work) / "unpacked"
        extract_zip_with_modes(zip_path, unpacked)
        top = unpacked / home.name
        if not (top / "bin" / "elasticsearch").is_file():
            raise ConfigurationError(f"{zip_path.name} does not contain {home.name}/bin/elasticsearch")
        (top / COMPLETE_MARKER).write_text(release.version + "\n")
        if home.exists():
            shutil.rmtree(home)
        top.rename(home)
    logger.info("elasticsearch %s unpacked in %s", release.version, home)
    return home, True


def verify_jar_set(directory: Path, expected: Mapping[str, str]) -> None:
    """Fail unless the directory holds exactly the pinned jars with the pinned checksums."""
    present = {path.name for path in directory.glob("*.jar")}
    missing = sorted(set(expected) - present)
    unexpected = sorted(present - set(expected))
    mismatched = sorted(name for name in set(expected) & present if sha256_of(directory / name) != expected[name])
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unexpected:
        problems.append(f"not pinned {', '.join(unexpected)}")
    if mismatched:
        problems.append(f"checksum differs for {', '.join(mismatched)}")
    if problems:
        raise ConfigurationError(
            "the Kafka jars Maven resolved do not match newsmon/infra/versions.py: "
            + "; ".join(problems)
            + ". Update KAFKA_JARS there if the version was bumped on purpose."
        )


def extract_zip_with_modes(zip_path: Path, destination: Path) -> None:
    """Unzip keeping the executable bits (zipfile alone drops them, and bin/elasticsearch must run)."""
    destination.mkdir(parents=True, exist_ok=True)
    root = destination.resolve()
    with zipfile.ZipFile(zip_path) as archive:
        for member in archive.infolist():
            target = (destination / member.filename).resolve()
            if not target.is_relative_to(root):
                raise ConfigurationError(f"{zip_path.name} has an entry outside its root: {member.filename}")
            archive.extract(member, destination)
            mode = (member.external_attr >> 16) & 0o777
            if mode and not member.is_dir():
                target.chmod(mode)


def require_maven() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ConfigurationError(
            "Maven (mvn) is needed once to download Kafka and Elasticsearch but is not on PATH: "
            "install it (Debian/Ubuntu: apt-get install -y maven) and run again"
        )
    return mvn


def _maven_copy(coordinate: MavenCoordinate, output: Path) -> Path:
    _run_maven(
        ["dependency:copy", f"-Dartifact={coordinate}", f"-DoutputDirectory={output}", "-Dmdep.useBaseVersion=true"],
        cwd=output,
        what=str(coordinate),
    )
    path = output / f"{coordinate.artifact}-{coordinate.version}.{coordinate.packaging}"
    if not path.is_file():
        raise ConfigurationError(f"Maven finished but {path.name} is not in {output}")
    return path


def _maven_copy_dependencies(roots: tuple[MavenCoordinate, ...], output: Path, work: Path) -> None:
    dependencies = "\n".join(
        f"    <dependency><groupId>{c.group}</groupId><artifactId>{c.artifact}</artifactId>"
        f"<version>{c.version}</version></dependency>"
        for c in roots
    )
    (work / "pom.xml").write_text(
        '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n"
        "  <groupId>newsmon.local</groupId><artifactId>kafka-runtime</artifactId><version>1</version>\n"
        "  <packaging>pom</packaging>\n"
        f"  <dependencies>\n{dependencies}\n  </dependencies>\n"
        "</project>\n"
    )
    _run_maven(
        ["dependency:copy-dependencies", f"-DoutputDirectory={output}", "-DincludeScope=runtime"],
        cwd=work,
        what=f"kafka_{versions.SCALA_BINARY_VERSION}:{versions.KAFKA_VERSION} and its runtime dependencies",
    )


def _run_maven(goals: list[str], *, cwd: Path, what: str) -> None:
    mvn = require_maven()
    logger.info("downloading %s with Maven", what)
    command = [mvn, "-B", "-q", *goals]
    if not (cwd / "pom.xml").exists():
        # dependency:copy needs no project; a stub pom keeps Maven from looking for one up the tree.
        command.insert(2, "-N")
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise ConfigurationError(
            f"Maven could not download {what} (exit {result.returncode}). Check that `mvn` reaches Maven Central "
            f"(network, proxy or mirror in ~/.m2/settings.xml). Maven said:\n{tail}"
        )


def _ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_pins(work: Path) -> tuple[dict[str, str], str]:
    """What Maven resolves today for the pinned coordinates: jar name → SHA-256, and the zip's SHA-256.

    Used when bumping a version (``newsmon infra pins``); nothing is verified or installed.
    """
    libs = work / "libs"
    _maven_copy_dependencies(versions.KAFKA_ROOTS, libs, work)
    jars = {path.name: sha256_of(path) for path in sorted(libs.glob("*.jar"))}
    zip_path = _maven_copy(versions.ELASTICSEARCH.distribution, work)
    return jars, sha256_of(zip_path)


def cache_size_bytes(cache_dir: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(cache_dir):
        for name in files:
            total += (Path(root) / name).lstat().st_size
    return total
