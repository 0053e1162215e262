"""The carevia command run as a separate process, as an operator runs it."""

from __future__ import annotations

import fcntl
import os
import queue
import select
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CAREVIA = [sys.executable, "-m", "carevia"]


def clean_environment(**values: str) -> dict[str, str]:
    """This process's environment without any Carevia setting, plus `values`."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MONGODB_", "STRIPE_", "SECRET_", "APP_", "CAREVIA_", "PUBLIC_"))
    }
    return {**keep, "PYTHONUNBUFFERED": "1", **values}


def run_carevia(
    *args: str, env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CAREVIA, *args],
        env=env,
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class ServerOutput:
    """The lines a running `carevia serve` prints, collected by a thread as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=self._collect, args=(stream,), daemon=True).start()

    def _collect(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self._queue.put(line.rstrip("\n"))

    def until(self, text: str, within: float = 90) -> list[str]:
        """Every line so far, up to and including the first that contains `text`."""
        deadline = time.monotonic() + within
        while not any(text in line for line in self.lines):
            try:
                self.lines.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"the server never printed {text!r}: {self.lines}") from None
        return self.lines


@contextmanager
def carevia_serve(
    port: int, *args: str, env: dict[str, str], cwd: Path
) -> Iterator[tuple[subprocess.Popen[str], ServerOutput]]:
    """`carevia serve` on `port`, answering /readyz; stopped with SIGTERM afterwards."""
    process = subprocess.Popen(
        [*CAREVIA, "serve", "--port", str(port), *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ServerOutput(process)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", process)
        yield process, output
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(base_url: str, process: subprocess.Popen[str], within: float = 90) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"carevia serve did not become ready (exit code {process.poll()})")


def _read_until(terminal: int, text: bytes, within: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + within
    while text not in seen:
        ready, _, _ = select.select([terminal], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"never saw {text!r} on the terminal: {seen!r}")
        try:
            chunk = os.read(terminal, 1024)
        except OSError:  # the other side closed: the command ended
            chunk = b""
        if not chunk:
            raise AssertionError(f"the command ended before {text!r}: {seen!r}")
        seen += chunk
    return seen


def _read_to_end(terminal: int, within: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(terminal, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen


def _take_terminal() -> None:
    # Runs in the child, after setsid: the pseudo-terminal becomes its controlling
    # terminal, so /dev/tty (which getpass opens) is that terminal.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_at_a_terminal(
    *args: str, answers: list[tuple[bytes, bytes]], env: dict[str, str], cwd: Path
) -> tuple[int, str]:
    """Run carevia on a pseudo-terminal, typing each answer after its prompt appears.

    Returns the exit code and everything the terminal showed, echoes included.
    """
    terminal, follower = os.openpty()
    process = subprocess.Popen(
        [*CAREVIA, *args],
        env=env,
        cwd=cwd,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
        preexec_fn=_take_terminal,
    )
    os.close(follower)
    shown = b""
    try:
        for prompt, answer in answers:
            shown += _read_until(terminal, prompt)
            os.write(terminal, answer + b"\n")
        shown += _read_to_end(terminal)
        return process.wait(timeout=60), shown.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(terminal)
