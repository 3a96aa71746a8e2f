"""`make bench`: the portal measured at programme scale, each figure against a reference taken in
the same run, written to benchmarks/results.md (the table) and benchmarks/results.json.

    python -m benchmarks.run                      # every figure, at scales 1 and 5
    python -m benchmarks.run --only api_lists     # some figures (others keep their last values)
    python -m benchmarks.run --scales 1 --reseed  # build the dataset again first

Each scale has a database of its own (bench_s1, bench_s5 on the server of BENCH_DATABASE_URL,
default the local PostgreSQL), built once by `seed_bench` and reused: the figures that write
(enrolments under contention, the notification fan-out) take away what they added.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .harness import PYTHON, ROOT, Figure, Results, bench_environment

HERE = Path(__file__).resolve().parent
RESULTS_JSON, RESULTS_MD = HERE / "results.json", HERE / "results.md"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

# Each figure's module in benchmarks/figures/, and the scales it is measured at.
FIGURES = {
    "api_lists": (1,),
    "query_counts": (1,),
    "pages": (1, 5),
    "exports": (1,),
    "contention": (1,),
    "fanout": (1,),
}


def ensure_wrk() -> None:
    """wrk, the load generator, is Debian's package: installed with apt-get when missing."""
    if shutil.which("wrk"):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk: not installed; installing Debian's package", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not shutil.which("wrk"):
        raise SystemExit("wrk: not found and could not be installed; install your "
                         "distribution's wrk package.")


def database_url(scale: float) -> str:
    parts = urlsplit(SERVER)
    return urlunsplit(parts._replace(path=f"/bench_s{scale:g}".replace(".", "_")))


def _psql(url: str, sql: str) -> str:
    finished = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True)
    return finished.stdout.strip() if finished.returncode == 0 else ""


def ensure_dataset(scale: float, *, reseed: bool) -> str:
    """The scale's database, created, migrated and seeded when it is not yet (or --reseed)."""
    url = database_url(scale)
    name = urlsplit(url).path.lstrip("/")
    if not _psql(SERVER, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        subprocess.run(["psql", SERVER, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    env = bench_environment(url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, env=env, check=True)
    seeded = _psql(url, "SELECT count(*) FROM partners_organisation") not in ("", "0")
    if reseed or not seeded:
        print(f"Building the scale-{scale:g} dataset in {name}…", flush=True)
        subprocess.run([PYTHON, "manage.py", "seed_bench", "--scale", f"{scale:g}",
                        *(["--reset"] if seeded else [])], cwd=ROOT, env=env, check=True)
    return url


def measure_scale(scale: float, figures: list[str], url: str) -> Results:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([PYTHON, "-m", "benchmarks.scale_run", "--scale", f"{scale:g}",
                        "--figures", ",".join(figures), "--out", out.name],
                       cwd=ROOT, env=bench_environment(url), check=True)
        return Results.from_json(json.loads(Path(out.name).read_text()))


def merged(previous: Results, fresh: Results) -> Results:
    """The fresh figures, and the previous run's for what was not measured again."""
    measured = {(f.section, f.scale) for f in fresh.figures}
    kept = [f for f in previous.figures if (f.section, f.scale) not in measured]
    return Results([*kept, *fresh.figures])


GROWTH_SECTION_SUFFIX = ", growth from scale 1 to 5"


def with_growth(results: Results) -> Results:
    """A growth figure (scale 5 over scale 1) for each figure whose detail asks for one
    (`growth_goal`) and which both scales have measured, this run or the last; the previous
    growth figures are replaced."""
    figures = [f for f in results.figures if not f.section.endswith(GROWTH_SECTION_SUFFIX)]
    at = {(f.section, f.name, f.scale): f for f in figures}
    for small in [f for f in figures if f.scale == 1 and "growth_goal" in f.detail]:
        large = at.get((small.section, small.name, 5))
        if large is None or not small.value:
            continue
        # No latency at scale 5 means no answer came back in time: a growth not met.
        growth = large.value / small.value if large.value else None
        goal = small.detail["growth_goal"]
        figures.append(Figure(
            section=small.section + GROWTH_SECTION_SUFFIX, name=small.name,
            value=large.value, unit=large.unit, reference=small.value,
            reference_name="scale 1", ratio=growth, goal=f"< {goal}×",
            met=growth is not None and growth < goal
            and not (small.detail.get("failures") or large.detail.get("failures"))))
    return Results(figures)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def write_results(results: Results, *, commit: str) -> None:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    cores = os.cpu_count()
    RESULTS_JSON.write_text(json.dumps({"measured_at": now, "commit": commit, "cores": cores,
                                        "figures": results.to_json()}, indent=1) + "\n")
    lines = [
        "# Benchmark results", "",
        f"Measured {now} on {cores} cores, commit {commit}, by `make bench` "
        "(benchmarks/README.md says how). Each ratio is the figure over its reference, "
        "measured in the same run; the goals are the performance issue's.", "",
    ]
    sections: dict[str, list] = {}
    for figure in results.figures:
        sections.setdefault(figure.section, []).append(figure)
    for section, figures in sections.items():
        lines += [f"## {section}", "",
                  "| figure | scale | value | reference | ratio | goal | met | cores |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for f in figures:
            reference = (f"{_number(f.reference, f.unit)} ({f.reference_name})"
                         if f.reference is not None else f.reference_name)
            met = {True: "yes", False: "**no**", None: ""}[f.met]
            lines.append(f"| {f.name} | {_number(f.scale)} | {_number(f.value, f.unit)} | "
                         f"{reference} | {_number(f.ratio)}{'×' if f.ratio else ''} | "
                         f"{f.goal} | {met} | {cores} |")
        lines.append("")
    RESULTS_MD.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="figures to measure, comma-separated: "
                                                   + ", ".join(FIGURES))
    parser.add_argument("--scales", default="1,5", help="scales to measure at (default 1,5)")
    parser.add_argument("--reseed", action="store_true", help="build the datasets again")
    args = parser.parse_args(argv)
    wanted = [name for name in (args.only.split(",") if args.only else FIGURES) if name]
    unknown = sorted(set(wanted) - set(FIGURES))
    if unknown:
        parser.error(f"no such figure: {', '.join(unknown)}")
    scales = [float(s) for s in args.scales.split(",")]
    ensure_wrk()
    fresh = Results()
    for scale in scales:
        figures = [name for name in wanted if scale in FIGURES[name]]
        if figures:
            url = ensure_dataset(scale, reseed=args.reseed)
            print(f"Scale {scale:g}: {', '.join(figures)}", flush=True)
            fresh.figures += measure_scale(scale, figures, url).figures
    previous = (Results.from_json(json.loads(RESULTS_JSON.read_text())["figures"])
                if RESULTS_JSON.exists() else Results())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    results = with_growth(merged(previous, fresh))
    write_results(results, commit=commit)
    missed = [f for f in fresh.figures if f.met is False]
    print(f"\n{len(fresh.figures)} figures measured, {len(missed)} short of their goal; "
          f"the table is in {RESULTS_MD.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
