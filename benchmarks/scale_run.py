"""One scale's figures, in a process of its own on that scale's database (benchmarks.run starts
it): the people to act as, the portal under gunicorn, and each figure's module in turn."""

from __future__ import annotations

import argparse
import importlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from benchmarks.harness import Results, portal_server  # noqa: E402
from benchmarks.people import BenchPeople, bench_people, session_cookie  # noqa: E402

WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))


@dataclass
class BenchRun:
    """What a figure's `measure(run)` is given."""

    scale: float
    database_url: str
    base_url: str
    people: BenchPeople
    results: Results
    workers: int = WORKERS

    def cookie(self, person) -> str:
        return session_cookie(person)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--figures", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    results = Results()
    people = bench_people()
    with portal_server(database_url, workers=WORKERS) as base_url:
        run = BenchRun(scale=args.scale, database_url=database_url, base_url=base_url,
                       people=people, results=results)
        for name in args.figures.split(","):
            print(f"- {name}", flush=True)
            importlib.import_module(f"benchmarks.figures.{name}").measure(run)
    for figure in results.figures:
        figure.scale = args.scale
    Path(args.out).write_text(json.dumps(results.to_json()))


if __name__ == "__main__":
    main()
