"""Pieces both benchmarks use: waiting for the app, CPU accounting, Markdown rows."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the app exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"the app did not become ready:\n{log.read_text()}")


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
