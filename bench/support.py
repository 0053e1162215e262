"""Pieces both benchmarks use: the app on an embedded database, CPU accounting, Markdown rows."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from carevia.embedded_db import EmbeddedDatabase, free_loopback_port


def wait_until_ready(
    base_url: str, server: subprocess.Popen[bytes], log: Path, path: str = "/readyz"
) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the app exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}{path}", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"the app did not become ready:\n{log.read_text()}")


def carevia_serve(port: int) -> list[str]:
    return [sys.executable, "-m", "carevia", "serve", "--port", str(port)]


@contextmanager
def running_app(
    workdir: Path,
    database_name: str,
    load_data: Callable[[dict[str, str]], None],
    command: Callable[[int], list[str]] = carevia_serve,
) -> Iterator[tuple[str, str]]:
    """An embedded database and `carevia serve` on a free port; yields (URL, database URI).

    `load_data` gets the app's environment and fills the database before the app starts;
    `command` gives the server's command line for a port, for another server than uvicorn.
    """
    database = EmbeddedDatabase(":memory:", log_file=workdir / "db.log")
    database.start()
    try:
        with app_process(workdir, database.uri, database_name, load_data, command) as base_url:
            yield base_url, database.uri
    finally:
        database.stop()


@contextmanager
def app_process(
    workdir: Path,
    database_uri: str,
    database_name: str,
    load_data: Callable[[dict[str, str]], None] | None = None,
    command: Callable[[int], list[str]] = carevia_serve,
    log_name: str = "server.log",
) -> Iterator[str]:
    """One app process on a free port and an existing database; yields its URL."""
    port = free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "APP_ENV": "development",
        "MONGODB_URI": database_uri,
        "MONGODB_DB": database_name,
        "CAREVIA_DATA_DIR": str(workdir),
        "PUBLIC_BASE_URL": base_url,
    }
    if load_data is not None:
        load_data(environment)
    log = workdir / log_name
    with open(log, "wb") as output:
        server = subprocess.Popen(
            command(port), cwd=workdir, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_ready(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def cpu_seconds() -> dict[str, float]:
    """CPU time so far of this process and its children (the app and the database), on Linux."""
    usage = {"load generator": time.process_time()}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{os.getpid()}/task").glob("*"):
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            name = "database" if "secantusd" in command else "app"
            usage[name] = usage.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return usage


def row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
