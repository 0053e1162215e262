"""Runs the embedded MongoDB-wire server (SecantusDB) as a child process.

SecantusDB is GPL-2.0, so Carevia never imports it: it starts the `secantusd-py`
command and talks to it over the wire like any MongoDB server.

Only one server can hold a data directory, so `carevia serve` publishes the address of
the one it started in `<data dir>/db.json`; other `carevia` commands use that server
instead of starting their own.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import msgspec
from pymongo import MongoClient
from pymongo.errors import PyMongoError

_PR_SET_PDEATHSIG = 1
# The first restart waits a moment (a crash loop must not spin); each failed start doubles it.
FIRST_RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0

logger = logging.getLogger("carevia.database")


class EmbeddedDatabaseError(RuntimeError):
    pass


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Loaded here, not in the forked child: a child of a threaded process should do as little
# as possible before exec, and loading a library takes the loader's lock.
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent() -> None:
    # Runs in the child before exec. Linux kills the child when this process dies, even
    # by SIGKILL, so a crashed app never leaves an orphaned database holding the data
    # directory (nor a killed test run an orphaned app). It is
    # SIGKILL rather than SIGTERM because nobody is left to escalate if the
    # server's graceful shutdown stalls; its write-ahead journal makes every
    # acknowledged write survive a kill. A normal exit still stops it with SIGTERM.
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _server_command() -> str:
    beside_python = Path(sys.executable).with_name("secantusd-py")
    found = str(beside_python) if beside_python.exists() else shutil.which("secantusd-py")
    if not found:
        raise EmbeddedDatabaseError(
            "MONGODB_URI is unset and the embedded database is not installed. "
            "Install it with `pip install 'carevia[embedded]'` or set MONGODB_URI."
        )
    return found


def _wait_until_storage_released(storage: Path, timeout: float) -> None:
    """Wait while a previous server (say, one whose parent was just killed) still shuts down.

    The storage engine holds an fcntl lock on WiredTiger.lock for as long as it runs.
    """
    lock_path = storage / "WiredTiger.lock"
    if not lock_path.exists():
        return
    deadline = time.monotonic() + timeout
    with open(lock_path, "a+b") as lock_file:
        while True:
            try:
                fcntl.lockf(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                if time.monotonic() > deadline:
                    raise EmbeddedDatabaseError(
                        f"the data directory {storage} is in use by another database process. "
                        "Stop the other `carevia serve` (or whatever holds it), "
                        "or point MONGODB_URI at a running MongoDB server."
                    ) from None
                time.sleep(0.1)
            else:
                fcntl.lockf(lock_file, fcntl.LOCK_UN)
                return


class ProcessHealth(msgspec.Struct, frozen=True, kw_only=True):
    """What /healthz reports about the embedded database process."""

    state: Literal["running", "restarting", "stopped"]
    restarts: int
    reason: str | None = None


class EmbeddedDatabase:
    def __init__(
        self,
        storage: Path | str,
        *,
        port: int | None = None,
        test_commands: bool = False,
        log_file: Path | None = None,
    ) -> None:
        self.storage = storage
        self.port = port or free_loopback_port()
        self.test_commands = test_commands
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._health = ProcessHealth(state="stopped", restarts=0)
        self._watcher: threading.Thread | None = None

    @property
    def health(self) -> ProcessHealth:
        return self._health

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, ready_timeout: float = 30.0) -> None:
        self._stopping.clear()
        self._spawn(ready_timeout)
        self._health = ProcessHealth(state="running", restarts=self._health.restarts)

    def supervise(self, on_restart: Callable[[], None] | None = None) -> None:
        """Restart the server, on the same port and data, whenever it dies on its own.

        Clients reconnect by themselves once the port answers again.
        """
        self._watcher = threading.Thread(
            target=self._watch, args=(on_restart,), name="embedded-database", daemon=True
        )
        self._watcher.start()

    def _watch(self, on_restart: Callable[[], None] | None) -> None:
        # The restarted server must be started from this thread, which lives as long as the
        # server does: Linux sends the parent-death signal when the creating thread ends.
        while (process := self._process) is not None:
            code = process.wait()
            if self._stopping.is_set():
                return
            delay = FIRST_RESTART_DELAY
            restarts = self._health.restarts
            while True:
                reason = f"the embedded database exited with code {code}; restarting it"
                self._health = ProcessHealth(state="restarting", restarts=restarts, reason=reason)
                logger.error(
                    "embedded database exited with code %s; restarting in %.0f s", code, delay
                )
                if self._stopping.wait(delay):
                    return
                try:
                    self._spawn(ready_timeout=30.0)
                except EmbeddedDatabaseError as exc:
                    logger.error("embedded database did not restart: %s", exc)
                    delay = min(delay * 2, MAX_RESTART_DELAY)
                    continue
                break
            if self._stopping.is_set():
                self.stop()
                return
            self._health = ProcessHealth(state="running", restarts=restarts + 1)
            logger.warning(
                "embedded database restarted on port %d (restart %d)", self.port, restarts + 1
            )
            if on_restart is not None:
                on_restart()

    def _spawn(self, ready_timeout: float) -> None:
        if isinstance(self.storage, Path):
            self.storage.mkdir(parents=True, exist_ok=True)
            _wait_until_storage_released(self.storage, timeout=15.0)
        command = [
            _server_command(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--storage-path",
            str(self.storage),
            "--log-level",
            "WARNING",
        ]
        if self.test_commands:
            command.append("--enable-test-commands")
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            command, stdout=log, stderr=log, preexec_fn=die_with_parent
        )
        self._wait_until_ready(ready_timeout)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmbeddedDatabaseError(
                    f"the embedded database exited with code {self._process.returncode}"
                    + (f"; see {self.log_file}" if self.log_file else "")
                )
            try:
                client: MongoClient[dict[str, Any]] = MongoClient(
                    self.uri, serverSelectionTimeoutMS=250
                )
                with client:
                    client.admin.command("ping")
                    return
            except PyMongoError:
                time.sleep(0.05)
        self._end_process()
        raise EmbeddedDatabaseError(f"the embedded database was not ready within {timeout:.0f}s")

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._health = ProcessHealth(state="stopped", restarts=self._health.restarts)
        self._end_process(timeout)
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)

    def _end_process(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def published_database_file(data_dir: Path) -> Path:
    return data_dir / "db.json"


def _publish(data_dir: Path, database: EmbeddedDatabase) -> None:
    """Written once the server answers, and atomically, so a reader never sees half of it."""
    target = published_database_file(data_dir)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(json.dumps({"uri": database.uri, "pid": database.pid}))
    partial.replace(target)


def _unpublish(data_dir: Path, database: EmbeddedDatabase) -> None:
    target = published_database_file(data_dir)
    try:
        published = json.loads(target.read_text())
    except (OSError, ValueError):
        return
    # A later server may have replaced the file already; its entry is not ours to remove.
    if isinstance(published, dict) and published.get("uri") == database.uri:
        target.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, under another user
    return True


def published_database_uri(data_dir: Path, timeout: float = 2.0) -> str | None:
    """The URI of the embedded server a running `carevia serve` started, if it answers.

    A file left by a server that was killed names a dead process or a port nobody answers
    on; it is ignored.
    """
    try:
        published = json.loads(published_database_file(data_dir).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(published, dict):
        return None
    uri, pid = published.get("uri"), published.get("pid")
    if not isinstance(uri, str) or not isinstance(pid, int) or not _pid_alive(pid):
        return None
    try:
        client: MongoClient[dict[str, Any]] = MongoClient(
            uri, serverSelectionTimeoutMS=int(timeout * 1000)
        )
        with client:
            client.admin.command("ping")
    except PyMongoError:
        return None
    return uri


@contextmanager
def running_embedded_database(
    data_dir: Path, *, publish: bool = False
) -> Iterator[EmbeddedDatabase]:
    """The embedded server for as long as the block runs.

    `publish` shares its address, and restarts it whenever it dies, for a serving app.
    """
    database = EmbeddedDatabase(data_dir / "db", log_file=data_dir / "db.log")
    data_dir.mkdir(parents=True, exist_ok=True)
    database.start()
    try:
        if publish:
            _publish(data_dir, database)
            database.supervise(on_restart=lambda: _publish(data_dir, database))
        yield database
    finally:
        if publish:
            _unpublish(data_dir, database)
        database.stop()
