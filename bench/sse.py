"""Live dashboard streams against a real `carevia serve`: waves, a connect storm, SIGTERM.

Run with `.venv/bin/python bench/sse.py`. It starts its own in-memory database, loads the
demo data, starts the app on a free loopback port and then, over HTTP only, as the demo admin:

1. opens `--streams` dashboard streams in waves of `--wave`, holds `--events` bookings and
   pays each with a signed webhook, and times each `booking.paid` from the webhook's 2xx to
   its arrival at every stream; the app's resident memory before and after gives KiB per stream;
2. opens as many new streams all at once (a reconnect storm after a deploy) and counts
   how many opened, how many were told to retry, and any other answer (a 503 would show here);
3. with `--sigterm-streams` streams open, sends the app SIGTERM and times its exit.

`--server granian` serves the same app with granian instead of uvicorn (`carevia serve`), for
the comparison in docs/performance.md; granian is not a dependency of Carevia, so install it
first with `.venv/bin/pip install granian`.

The reference is raw fan-out, `bench/sse_reference.py` (Litestar's own SSE, no tickets, no
database) under uvicorn, with the same streams and events in the same run. Every client runs
in this one Python process, so at thousands of streams the client's own loop adds delay.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bookings import load_demo_data
from carevia.db import connected_database
from carevia.embedded_db import free_loopback_port
from carevia.settings import DatabaseSettings, Settings
from stream_clients import (
    Dashboard,
    admin_client,
    app_pids,
    open_dashboards,
    paid_bookings,
    pay_and_time,
    percentiles,
    reader_client,
    resident_kib,
    stream_urls,
)
from support import carevia_serve, row, running_app, wait_until_ready

DATABASE_NAME = "carevia_bench_sse"
BENCH = Path(__file__).resolve().parent


@dataclass
class Run:
    name: str
    asked: int
    dashboards: list[Dashboard]
    opened: int  # open once the crowd had settled
    answered: float  # seconds until every stream had its answer
    delays: list[float]
    lost: int
    kib_per_stream: float | None = None

    @property
    def retried(self) -> int:
        return sum(d.told_to_retry for d in self.dashboards)

    @property
    def other(self) -> str:
        statuses: dict[str, int] = {}
        for d in self.dashboards:
            if d.status != 200 or d.error:
                key = d.error or str(d.status)
                statuses[key] = statuses.get(key, 0) + 1
        return ", ".join(f"{count}× {what}" for what, count in statuses.items()) or "none"


async def close(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def app_runs(base_url: str, database_uri: str, args: argparse.Namespace) -> list[Run]:
    settings = Settings(database=DatabaseSettings(uri=database_uri, name=DATABASE_NAME))
    (pid,) = app_pids()
    runs = []
    async with connected_database(settings) as database:
        events = await paid_bookings(base_url, database, args.events + 1)
        admin = await admin_client(base_url)
        try:
            for name, wave in (("waves", args.wave), ("all at once", 0)):
                urls = await stream_urls(admin, args.streams)
                before = resident_kib(pid)
                async with reader_client(base_url, args.streams) as client:
                    dashboards, tasks, answered = await open_dashboards(client, urls, wave)
                    grown = resident_kib(pid) - before
                    opened = sum(d.open for d in dashboards)
                    paying = events[: args.events] if wave else events[args.events :]
                    delays, lost = await pay_and_time(base_url, paying, dashboards)
                    per_stream = grown / opened if opened and wave else None
                    runs.append(
                        Run(name, len(urls), dashboards, opened, answered, delays, lost, per_stream)
                    )
                    await close(tasks)
            await asyncio.sleep(1)  # let the app notice the closed streams
        finally:
            await admin.aclose()
    return runs


async def sigterm_exit(base_url: str, streams: int) -> tuple[int, float]:
    """Streams open when SIGTERM arrived, and seconds until the app process had exited."""
    (pid,) = app_pids()
    admin = await admin_client(base_url)
    try:
        urls = await stream_urls(admin, streams)
    finally:
        await admin.aclose()
    async with reader_client(base_url, streams) as client:
        dashboards, tasks, _ = await open_dashboards(client, urls, 0)
        opened = sum(d.open for d in dashboards)
        os.kill(pid, signal.SIGTERM)
        began = time.perf_counter()
        while time.perf_counter() - began < 30 and not exited(pid):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        took = time.perf_counter() - began
        await close(tasks)
    return opened, took


def exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}  # a zombie has exited; its parent only has not looked yet


async def reference_run(base_url: str, args: argparse.Namespace) -> Run:
    urls = [f"/events?n={n}" for n in range(args.streams)]
    async with reader_client(base_url, args.streams) as client:
        dashboards, tasks, answered = await open_dashboards(client, urls, 0)
        opened = sum(d.open for d in dashboards)
        delays: list[float] = []
        async with httpx.AsyncClient(base_url=base_url) as sender:
            for number in range(args.events):
                code = f"REF-{number}"
                (await sender.post("/fire", json={"code": code})).raise_for_status()
                fired = time.perf_counter()
                deadline = fired + 15
                while time.perf_counter() < deadline and any(  # noqa: ASYNC110
                    code not in d.paid_at for d in dashboards
                ):
                    await asyncio.sleep(0.01)
                delays += [
                    (d.paid_at[code] - fired) * 1000 for d in dashboards if code in d.paid_at
                ]
        lost = args.streams * args.events - len(delays)
        await close(tasks)
    return Run("raw fan-out (reference)", args.streams, dashboards, opened, answered, delays, lost)


def reference(args: argparse.Namespace, workdir: Path) -> Run:
    port = free_loopback_port()
    log = workdir / "reference.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "sse_reference:app", "--port", str(port)],
            cwd=BENCH,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_ready(base_url, server, log)
        return asyncio.run(reference_run(base_url, args))
    finally:
        server.terminate()
        server.wait(10)


def report(runs: list[Run], sigterm: tuple[int, float], server: str) -> str:
    base = max(percentiles(runs[0].delays)[1], 1.0)  # a p99 under 1 ms counts as 1 ms
    lines = [
        row(
            "Run",
            "Streams",
            "Opened",
            "Told to retry",
            "Other answers",
            "All answered (s)",
            "p50 (ms)",
            "p99 (ms)",
            "max (ms)",
            "p99 × reference",
            "Events lost",
            "KiB per stream",
        ),
        row(*["---"] * 12),
    ]
    for run in runs:
        p50, p99, worst = percentiles(run.delays)
        kib = f"{run.kib_per_stream:.0f}" if run.kib_per_stream is not None else "–"
        lines.append(
            row(
                run.name,
                run.asked,
                run.opened,
                run.retried,
                run.other,
                f"{run.answered:.2f}",
                f"{p50:.0f}",
                f"{p99:.0f}",
                f"{worst:.0f}",
                f"{p99 / base:.1f}",
                run.lost,
                kib,
            )
        )
    opened, took = sigterm
    lines += [
        "",
        row("SIGTERM with streams open", "Streams open", "Exited after (s)", "Goal"),
        row("---", "---", "---", "---"),
        row(f"the app under {server}", opened, f"{took:.2f}", "≤ 5 s"),
    ]
    return "\n".join(lines)


def granian(port: int) -> list[str]:
    return [
        *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory"),
        *("--working-dir", str(BENCH), "--port", str(port), "granian_app:app"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000, help="streams per run")
    parser.add_argument("--wave", type=int, default=50, help="streams opened together in run 1")
    parser.add_argument("--events", type=int, default=5, help="paid bookings in run 1")
    parser.add_argument("--sigterm-streams", type=int, default=50, help="streams open at SIGTERM")
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    args = parser.parse_args()
    if args.server == "granian" and importlib.util.find_spec("granian") is None:
        sys.exit("granian is not installed; run `.venv/bin/pip install granian` first")
    command = granian if args.server == "granian" else carevia_serve
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="carevia-bench-") as tmp:
        runs = [reference(args, Path(tmp))]
        with running_app(Path(tmp), DATABASE_NAME, load_demo_data, command) as (url, uri):
            runs += asyncio.run(app_runs(url, uri, args))
            sigterm = asyncio.run(sigterm_exit(url, args.sigterm_streams))
    print(
        f"\nPython {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; app, database and clients on the same machine; "
        f"run took {time.perf_counter() - started:.0f} s.\n"
    )
    print(report(runs, sigterm, args.server))
    failed = [r.name for r in runs if r.opened < r.asked or r.lost]
    if failed or sigterm[1] > 5:
        sys.exit(f"streams not opened, events lost or a slow exit: {failed or 'SIGTERM'}")


if __name__ == "__main__":
    main()
