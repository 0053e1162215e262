"""Catalogue throughput and latency against a real `carevia serve` and an embedded database.

Run with `make bench` (or `.venv/bin/python bench/catalogue.py`). It starts its own in-memory
database, seeds the demo catalogue, starts the app on a free loopback port, then measures each
scenario sequentially (1 client) and with 8 concurrent clients. Every scenario is bounded by a
request count and a time budget, so a whole run stays under a minute. The result is printed as
Markdown, with two ratios measured in the same run: htmx fragment vs full page, and a
regex-shaped search vs a plain one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from carevia.db import connected_database
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.catalogue.seed import seed_catalogue
from carevia.settings import DatabaseSettings, Settings
from support import cpu_seconds, row, running_app

DATABASE_NAME = "carevia_bench"
DETAIL_SLUG = "newborn-night-nanny"
FRAGMENT_HEADERS = {"HX-Request": "true"}


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    fragment: bool = False

    @property
    def request(self) -> str:
        extra = " + `HX-Request: true`" if self.headers else ""
        return f"`GET {self.path}`{extra}"


CATEGORY_PAGE = "/services?category=elderly-care"
SCENARIOS = [
    Scenario("list", "/services"),
    Scenario("filtered list", "/services?q=care&division=Dhaka&sort=price_asc"),
    Scenario("detail", f"/services/{DETAIL_SLUG}"),
    Scenario("full page", CATEGORY_PAGE),
    Scenario("htmx fragment", CATEGORY_PAGE, FRAGMENT_HEADERS, fragment=True),
    Scenario("literal search", "/services?q=aaaaaa"),
    Scenario("regex-shaped search", "/services?q=(a%2B)%2B%24"),
]
# (numerator, denominator): both measured in the same run, under the same load.
RATIOS = [("htmx fragment", "full page"), ("regex-shaped search", "literal search")]


@dataclass
class Result:
    scenario: Scenario
    clients: int
    latencies: list[float]
    elapsed: float
    errors: int
    body_bytes: int

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def merge(self, other: Result) -> Result:
        return Result(
            self.scenario,
            self.clients,
            self.latencies + other.latencies,
            self.elapsed + other.elapsed,
            self.errors + other.errors,
            other.body_bytes,
        )

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


async def _seed(uri: str) -> int:
    settings = Settings(database=DatabaseSettings(uri=uri, name=DATABASE_NAME))
    async with connected_database(settings) as database:
        return await seed_catalogue(ServiceRepository(database), datetime.now(UTC), "BDT")


def _load_catalogue(environment: dict[str, str]) -> None:
    inserted = asyncio.run(_seed(environment["MONGODB_URI"]))
    print(f"Seeded {inserted} services.", file=sys.stderr)


def _looks_right(scenario: Scenario, response: httpx.Response) -> bool:
    if response.status_code != 200:
        return False
    is_full_page = "<html" in response.text
    return is_full_page != scenario.fragment


async def measure(
    client: httpx.AsyncClient, scenario: Scenario, clients: int, max_requests: int, budget: float
) -> Result:
    latencies: list[float] = []
    errors = 0
    body_bytes = 0
    issued = 0
    start = time.perf_counter()
    deadline = start + budget

    async def worker() -> None:
        nonlocal errors, body_bytes, issued
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            began = time.perf_counter()
            try:
                response = await client.get(scenario.path, headers=scenario.headers)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            body_bytes = len(response.content)
            if not _looks_right(scenario, response):
                errors += 1

    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return Result(scenario, clients, latencies, elapsed, errors, body_bytes)


async def run(base_url: str, args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
        for scenario in SCENARIOS:  # warm templates, indexes and connections
            for _ in range(5):
                await client.get(scenario.path, headers=scenario.headers)
        for clients, count, budget in (
            (1, args.sequential, args.budget),
            (args.concurrency, args.concurrent, args.budget),
        ):
            # Scenarios take turns in short rounds, so a slow moment (a collection, a noisy
            # neighbour) spreads over all of them instead of skewing one side of a ratio.
            merged: dict[str, Result] = {}
            for _ in range(args.rounds):
                for scenario in SCENARIOS:
                    part = await measure(
                        client, scenario, clients, count // args.rounds, budget / args.rounds
                    )
                    merged[scenario.name] = (
                        merged[scenario.name].merge(part) if scenario.name in merged else part
                    )
            results.extend(merged.values())
            print(
                f"  measured {len(SCENARIOS)} scenarios with {clients} client(s)", file=sys.stderr
            )
    return results


def markdown(results: list[Result]) -> str:
    header = ["Scenario", "Request", "Clients", "Requests", "Errors", "Req/s"]
    header += ["p50 ms", "p95 ms", "p99 ms", "Body bytes"]
    lines = [row(*header), "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cells: list[object] = [r.scenario.name, r.scenario.request, r.clients, len(r.latencies)]
        cells += [r.errors, f"{r.rps:.0f}", *(f"{r.percentile(p):.1f}" for p in (50, 95, 99))]
        lines.append(row(*cells, f"{r.body_bytes:,}"))
    lines += ["", row("Ratio", "Clients", "p50 latency", "Req/s", "Body size")]
    lines.append("|---|---:|---:|---:|---:|")
    by_key = {(r.scenario.name, r.clients): r for r in results}
    for numerator, denominator in RATIOS:
        for clients in sorted({r.clients for r in results}):
            a, b = by_key[(numerator, clients)], by_key[(denominator, clients)]
            latency = a.percentile(50) / b.percentile(50)
            size = a.body_bytes / b.body_bytes if b.body_bytes else float("nan")
            ratios = [f"{latency:.2f}×", f"{a.rps / b.rps:.2f}×", f"{size:.2f}×"]
            lines.append(row(f"{numerator} / {denominator}", clients, *ratios))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sequential", type=int, default=300, help="requests per scenario, 1 client"
    )
    parser.add_argument(
        "--concurrent", type=int, default=600, help="requests per scenario, N clients"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--budget", type=float, default=3.0, help="seconds at most per scenario")
    parser.add_argument("--rounds", type=int, default=6, help="turns each scenario takes")
    args = parser.parse_args()
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="carevia-bench-") as tmp,
        running_app(Path(tmp), DATABASE_NAME, _load_catalogue) as (url, _),
    ):
        before, measuring = cpu_seconds(), time.perf_counter()
        results = asyncio.run(run(url, args))
        measuring = time.perf_counter() - measuring
        used = {name: seconds - before.get(name, 0.0) for name, seconds in cpu_seconds().items()}
    print(
        f"\nPython {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; app, database and client on the same machine; "
        f"run took {time.perf_counter() - started:.0f} s.\n"
    )
    if Path("/proc").is_dir():
        spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(used.items()))
        print(f"CPU time while measuring ({measuring:.1f} s of wall time): {spent}.\n")
    print(markdown(results))
    if any(r.errors for r in results):
        sys.exit("some requests failed or returned the wrong kind of page")


if __name__ == "__main__":
    main()
