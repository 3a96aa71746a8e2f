"""What every figure of the benchmark stands on: the portal served as production serves it
(gunicorn on loopback), a load generator (wrk) against it, people signed in for it, and the
table of results.

A figure is always a ratio to a reference measured in the same run on the same machine, so a
shared, noisy machine moves both sides alike; the absolute values are reported beside it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK_SCRIPT = Path(__file__).with_name("wrk_percentiles.lua")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of every process of a run: the bench settings on the scale's database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def wait_until_answering(url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"The portal did not answer {url} within {seconds:.0f} s.")
        time.sleep(0.25)


@contextlib.contextmanager
def portal_server(database_url: str, *, workers: int = 4, **environment: str):
    """The portal under gunicorn with `workers` sync workers, as docker-compose runs it (static
    files collected and served by WhiteNoise); yields its base URL."""
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = bench_environment(database_url, STATIC_ROOT=static_root, **environment)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "cluster_portal.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-tmp-dir",
         "/dev/shm" if Path("/dev/shm").is_dir() else static_root,
         "--timeout", "120", "--backlog", "2048", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/health/")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(static_root, ignore_errors=True)


@dataclass
class Load:
    """What wrk measured: requests a second and latency percentiles in milliseconds."""

    requests: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failures: int  # non-2xx/3xx answers, socket errors and timeouts


def wrk(url: str, *, cookie: str = "", connections: int = 4, seconds: float = 5,
        threads: int = 1, headers: dict[str, str] | None = None) -> Load:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (make bench installs it with apt-get).")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT)]
    for name, value in {**(headers or {}), **({"Cookie": cookie} if cookie else {})}.items():
        command += ["-H", f"{name}: {value}"]
    finished = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    line = next(line for line in finished.stdout.splitlines() if line.startswith("{"))
    figures = json.loads(line)
    return Load(
        requests=figures["requests"],
        requests_per_second=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000, p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        failures=figures["non2xx"] + figures["errors"],
    )


def interleaved(measures: dict[str, callable], *, rounds: int) -> dict[str, list]:
    """Each measure run `rounds` times, taking turns, so a slow moment of the machine falls on
    every side alike."""
    taken: dict[str, list] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            taken[name].append(measure())
    return taken


def loads_in_turns(urls: dict[str, str], *, cookie: str = "", connections: int, seconds: float,
                   rounds: int) -> dict[str, list[Load]]:
    """wrk's loads of each URL (by side: the portal's, its reference's), each warmed first for
    a second (every worker's connection and caches), then `rounds` loads taking turns."""
    for url in urls.values():
        wrk(url, cookie=cookie, connections=connections, seconds=1)
    return interleaved({
        side: functools.partial(wrk, url, cookie=cookie, connections=connections,
                                seconds=seconds)
        for side, url in urls.items()
    }, rounds=rounds)


def median(values) -> float:
    return statistics.median(values)


@dataclass
class Figure:
    """One row of the results table. `ratio` is value / reference (for throughput, reference /
    value: always "how many times the reference's cost"); `goal` is in words, `met` whether it
    was reached (None where there is no goal)."""

    section: str
    name: str
    value: float
    unit: str
    reference: float | None = None
    reference_name: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    scale: float | None = None
    detail: dict = field(default_factory=dict)


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        mark = {True: "met", False: "MISSED", None: ""}[figure.met]
        ratio = f" ratio {figure.ratio:.2f}" if figure.ratio is not None else ""
        print(f"  {figure.section} | {figure.name}: {figure.value:,.1f} {figure.unit}{ratio}"
              f" {figure.goal} {mark}", flush=True)
        return figure

    def to_json(self) -> list[dict]:
        return [asdict(figure) for figure in self.figures]

    @classmethod
    def from_json(cls, rows: list[dict]) -> Results:
        return cls([Figure(**row) for row in rows])
