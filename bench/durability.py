"""What journaled writes cost: the app's write concern against an unjournaled one.

Run with `.venv/bin/python bench/durability.py`. The app writes with `w="majority"` and
`journal=True` (see `carevia.db.open_client`) so that an acknowledged write survives the
embedded database being killed. This script starts the embedded database on disk, as
`carevia serve` does, and inserts small documents one at a time with both write concerns,
taking turns in rounds so a slow moment on the machine is shared by both sides of the ratio.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient, WriteConcern

from carevia.embedded_db import EmbeddedDatabase

WRITE_CONCERNS = {
    "journaled (the app's)": WriteConcern(w="majority", j=True),
    "unjournaled": WriteConcern(w=1, j=False),
}


def measure(client: MongoClient[dict[str, Any]], concern: WriteConcern, count: int) -> list[float]:
    collection = client.bench.get_collection("notes", write_concern=concern)
    latencies = []
    for number in range(count):
        started = time.perf_counter()
        collection.insert_one({"number": number, "text": "a short contact message"})
        latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inserts", type=int, default=250, help="inserts per round and side")
    parser.add_argument("--rounds", type=int, default=6, help="turns each side takes")
    args = parser.parse_args()

    samples: dict[str, list[float]] = {name: [] for name in WRITE_CONCERNS}
    with tempfile.TemporaryDirectory(prefix="carevia-bench-") as workdir:
        database = EmbeddedDatabase(Path(workdir) / "db", log_file=Path(workdir) / "db.log")
        database.start()
        try:
            client: MongoClient[dict[str, Any]] = MongoClient(database.uri)
            with client:
                for concern in WRITE_CONCERNS.values():
                    measure(client, concern, 20)  # warm-up, not counted
                for _ in range(args.rounds):
                    for name, concern in WRITE_CONCERNS.items():
                        samples[name] += measure(client, concern, args.inserts)
        finally:
            database.stop()

    print(
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"an on-disk embedded database; {args.rounds} rounds of {args.inserts} inserts per side.\n"
    )
    print("| Write concern | Inserts | Inserts/s | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    rates, medians = {}, {}
    for name, latencies in samples.items():
        rates[name] = len(latencies) / sum(latencies)
        medians[name] = statistics.median(latencies) * 1000
        p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
        print(
            f"| {name} | {len(latencies)} | {rates[name]:.0f} | {medians[name]:.2f} | {p95:.2f} |"
        )
    journaled, unjournaled = WRITE_CONCERNS
    print(
        f"\nJournaled / unjournaled: p50 latency {medians[journaled] / medians[unjournaled]:.2f}×, "
        f"inserts/s {rates[journaled] / rates[unjournaled]:.2f}×."
    )


if __name__ == "__main__":
    main()
