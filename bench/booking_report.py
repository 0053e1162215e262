"""The bookings benchmark's results: one row per scenario, the checks on the database, and the
Markdown table with ratios measured in the same run."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from booking_requests import Sample
from support import row


@dataclass
class Result:
    key: str
    name: str
    request: str
    clients: int
    expected: frozenset[str]
    throughput: bool = True
    samples: list[Sample] = field(default_factory=list)
    elapsed: float = 0.0

    def add(self, samples: list[Sample], elapsed: float) -> None:
        self.samples += samples
        self.elapsed += elapsed

    @property
    def latencies(self) -> list[float]:
        return [s.latency for s in self.samples]

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.outcome not in self.expected)

    @property
    def rate(self) -> str:
        if not self.throughput or not self.elapsed:
            return "–"
        return f"{len(self.samples) / self.elapsed:.0f}"

    def percentile(self, p: int) -> float:
        """The median always; p95 from 20 samples and p99 from 100, otherwise NaN."""
        values = self.latencies
        if not values or (p == 95 and len(values) < 20) or (p == 99 and len(values) < 100):
            return float("nan")
        if p == 50:
            return statistics.median(values)
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1]

    def answers(self) -> str:
        return answers_text(Counter(s.outcome for s in self.samples))


def answers_text(answers: Counter[str]) -> str:
    return ", ".join(f"{outcome} ×{n}" for outcome, n in answers.most_common())


@dataclass
class Checks:
    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def expect(self, ok: bool, text: str) -> None:
        self.lines.append(f"- {'ok' if ok else 'FAILED'}: {text}")
        self.failed |= not ok


def ms(value: float) -> str:
    return "–" if value != value else f"{value:.1f}"  # NaN: too few samples


# (numerator, denominator, compare requests per second too): all measured in the same run.
RATIOS = [
    ("contended", "hold burst", True),
    ("refusals", "winner", False),
    ("hold N", "hold 1", True),
    ("again 1", "first 1", True),
    ("duplicates", "confirming", False),
    ("first N", "first 1", True),
    ("first 1", "hold 1", True),
    ("first N", "hold N", True),
]


def label(r: Result) -> str:
    name = r.name.removeprefix("↳ ")
    return f"{name}, {r.clients} client{'s' if r.clients > 1 else ''}"


def markdown(results: dict[str, Result], checks: Checks) -> str:
    header = ["Scenario", "Request", "Clients", "Requests", "Errors", "Req/s"]
    header += ["p50 ms", "p95 ms", "p99 ms", "Answers"]
    lines = [row(*header), "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results.values():
        cells: list[object] = [r.name, r.request, r.clients, len(r.samples), r.errors, r.rate]
        lines.append(row(*cells, *(ms(r.percentile(p)) for p in (50, 95, 99)), r.answers()))
    lines += ["", row("Ratio (numerator / denominator)", "p50 latency", "Req/s")]
    lines.append("|---|---:|---:|")
    for numerator, denominator, rates in RATIOS:
        a, b = results[numerator], results[denominator]
        latency = f"{a.percentile(50) / b.percentile(50):.2f}×"
        rate = "–"
        if rates and a.elapsed and b.elapsed:
            rate = f"{(len(a.samples) / a.elapsed) / (len(b.samples) / b.elapsed):.2f}×"
        lines.append(row(f"{label(a)} / {label(b)}", latency, rate))
    lines += ["", "Checks:", "", *checks.lines]
    return "\n".join(lines)
