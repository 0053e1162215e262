"""Pages per second against one `carevia serve` process, with a bare Litestar app as reference.

Run with `.venv/bin/python bench/http_pages.py` (defaults: 10 s per row, 50 connections). It uses
Debian's `wrk` (`apt-get install -y wrk`) as the load generator, since a Python client
cannot produce the load one app process answers. It starts an embedded database with the
demo data (`carevia seed`), the app, and `bench/hello_app.py` under uvicorn with the same
server settings, then measures each row in turn in the same run:

- the hello app, `/healthz`;
- `/`, `/services`, a filtered `/services` and a service page, for a signed-out visitor
  (wrk keeps no cookies, so every request is a newcomer who gets a CSRF cookie) and for a
  signed-in patient (a session cookie on every request).

It prints Markdown tables: every row with its ratio to hello, and the issue's goals with
whether this run met them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from bookings import load_demo_data
from carevia.embedded_db import free_loopback_port
from support import row, running_app, wait_until_ready

DATABASE_NAME = "carevia_bench_http"
PATIENT_EMAIL = "bench.patient@example.com"
PATIENT_PASSWORD = "quiet-harbour-evening-42"  # noqa: S105 - a throwaway bench account
DETAIL = "/services/newborn-night-nanny"
FILTERED = "/services?category=elderly-care&division=Dhaka&sort=price_asc"
PAGES = [("/", "/"), ("/services", "/services"), ("/services (filtered)", FILTERED)]
PAGES.append(("/services/{slug}", DETAIL))
ANONYMOUS_GOAL = 0.5
SIGNED_IN_GOAL = 0.2
P99_GOAL_MS = 50.0
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Measured:
    path: str
    visitor: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit(
            "bench/http_pages.py needs Debian's wrk as its load generator: apt-get install -y wrk"
        )
    return wrk


def run_wrk(wrk: str, url: str, args: argparse.Namespace, cookie: str | None) -> str:
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s"]
    command += ["--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=args.seconds + 60, check=False
    )
    if done.returncode != 0:
        sys.exit(f"wrk failed on {url}:\n{done.stdout}{done.stderr}")
    return done.stdout


def parse_wrk(output: str, path: str, visitor: str) -> Measured:
    def latency(percent: int) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match.group(1)) * _UNITS_MS[match.group(2)] if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(refused.group(1)) if refused else 0) + (
        sum(int(count) for count in sockets.groups()) if sockets else 0
    )
    return Measured(
        path, visitor, float(rate.group(1)) if rate else 0.0, latency(50), latency(99), errors
    )


def signed_in_cookie(base_url: str, environment: dict[str, str]) -> str:
    """A patient made with the real command, signed in through the login form."""
    subprocess.run(
        [
            *(sys.executable, "-m", "carevia", "users", "create", "--email", PATIENT_EMAIL),
            *("--name", "Bench Patient", "--role", "patient", "--password-stdin"),
        ],
        input=PATIENT_PASSWORD + "\n",
        text=True,
        env=environment,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with httpx.Client(base_url=base_url) as client:
        form = client.get("/login").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
        assert token, "the login form carries a CSRF token"
        answer = client.post(
            "/login",
            data={"email": PATIENT_EMAIL, "password": PATIENT_PASSWORD, "next": ""}
            | {"_csrf_token": token.group(1)},
        )
        session = client.cookies.get("carevia_session")
        if session is None:
            sys.exit(f"could not sign the patient in: {answer.status_code}")
        return f"carevia_session={session}; csrftoken={client.cookies['csrftoken']}"


def start_hello(workdir: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_loopback_port()
    log = workdir / "hello.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("hello_app.py")), str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    # The hello app has no /readyz; any answer means it is up.
    wait_until_ready(base_url, server, log, path="/")
    return base_url, server


def markdown(results: list[Measured], args: argparse.Namespace) -> str:
    hello = results[0].requests_per_second or float("nan")
    lines = [
        f"wrk, {args.connections} connections, {args.threads} threads, {args.seconds} s per row;"
        " one app process.",
        "",
        row("Path", "Visitor", "req/s", "× hello", "p50", "p99", "errors"),
        row("---", "---", "---:", "---:", "---:", "---:", "---:"),
    ]
    for measured in results:
        lines.append(
            row(
                measured.path,
                measured.visitor,
                f"{measured.requests_per_second:,.0f}",
                f"{measured.requests_per_second / hello:.2f}",
                f"{measured.p50_ms:.1f} ms",
                f"{measured.p99_ms:.1f} ms",
                measured.errors,
            )
        )
    lines += ["", row("Goal", "Measured", "Met"), row("---", "---", "---")]
    for measured in results[2:]:
        ratio = measured.requests_per_second / hello
        if measured.visitor == "signed out":
            goal = (
                f"{measured.path} signed out ≥ {ANONYMOUS_GOAL}× hello, p99 < {P99_GOAL_MS:.0f} ms"
            )
            met = ratio >= ANONYMOUS_GOAL and measured.p99_ms < P99_GOAL_MS
            value = f"{ratio:.2f}×, p99 {measured.p99_ms:.1f} ms"
        else:
            goal = f"{measured.path} signed in ≥ {SIGNED_IN_GOAL}× hello"
            met, value = ratio >= SIGNED_IN_GOAL, f"{ratio:.2f}×"
        lines.append(row(goal, value, "yes" if met else "**no**"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per row")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    wrk = require_wrk()
    with tempfile.TemporaryDirectory(prefix="carevia-http-") as tmp:
        workdir = Path(tmp)
        environment: dict[str, str] = {}

        def load(app_environment: dict[str, str]) -> None:
            environment.update(app_environment)
            load_demo_data(app_environment)

        hello_url, hello = start_hello(workdir)
        try:
            with running_app(workdir, DATABASE_NAME, load) as (base_url, _):
                cookie = signed_in_cookie(base_url, environment)
                plan: list[tuple[str, str, str, str | None]] = [
                    ("hello (bare Litestar)", "", hello_url + "/", None)
                ]
                plan.append(("/healthz", "", base_url + "/healthz", None))
                plan += [(name, "signed out", base_url + path, None) for name, path in PAGES]
                plan += [(name, "signed in", base_url + path, cookie) for name, path in PAGES]
                results = []
                for name, visitor, url, with_cookie in plan:
                    print(f"measuring {name} {visitor}…", file=sys.stderr)
                    output = run_wrk(wrk, url, args, with_cookie)
                    results.append(parse_wrk(output, name, visitor))
        finally:
            hello.terminate()
            hello.wait(10)
    print(markdown(results, args))


if __name__ == "__main__":
    main()
