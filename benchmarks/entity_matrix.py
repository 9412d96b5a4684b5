"""Cost of the whole entity × year matrix, and how it grows with the number of entities.

    .venv/bin/python benchmarks/entity_matrix.py [--years 2012-2025] [--add 0,16,48]

1. Shipped data: ``report.build_report(year, entity, memo=False)`` plus ``peers.peer_ranking``
   for every entity of entities.csv and every year, as a real build computes it (each build fits
   its own forecasts), and again with forecasts shared between builds of the same year (the
   forecasts of a series do not depend on the focal entity).
2. Growth: k made-up cities (copies of a peer city's rows under new ids, in a scratch copy of
   the data) are added and the matrix for one year is timed: total, per build, and per build
   of the original entities (does one report get slower as the data grows?).

Prints a Markdown table and writes benchmarks/entity_matrix_results.md. Timings are measured
here, never asserted in a test. The machine may be shared: the results say so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import config, data, forecast, peers, report


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def shared_forecasts():
    """Replace forecast.entity_forecasts by a version keyed on the data: returns an undo."""
    compute, store = forecast.entity_forecasts, {}

    def once(obs, indicators, entity, end_year):
        key = (int(pd.util.hash_pandas_object(obs, index=False).sum()), len(obs), entity, end_year)
        if key not in store:
            store[key] = compute(obs, indicators, entity, end_year)
        return store[key]

    forecast.entity_forecasts = once
    return lambda: setattr(forecast, "entity_forecasts", compute)


def run_matrix(ds, entities, years):
    times = {}
    for e in entities:
        for y in years:
            t = time.perf_counter()
            rep = report.build_report(y, e, ds=ds, memo=False)
            peers.peer_ranking(rep)
            times[(e, y)] = time.perf_counter() - t
    return times


def with_copies(src: Path, dst: Path, template: str, k: int) -> None:
    """A copy of the data with k made-up cities whose rows copy `template`'s."""
    shutil.copytree(src, dst)
    ents = pd.read_csv(dst / "entities.csv", dtype=str, keep_default_na=False)
    obs = pd.read_csv(dst / "observations.csv", dtype=str, keep_default_na=False)
    base_e = ents[ents["entity_id"] == template]
    base_o = obs[obs["entity"] == template]
    new_e, new_o, n = [], [], 900000
    for i in range(k):
        eid = f"synthetic_city_{i:03d}"
        new_e.append(base_e.assign(entity_id=eid, name_en=f"Synthetic City {i}", name_zh=f"合成市{i}"))
        o = base_o.assign(entity=eid)
        o["obs_id"] = [f"o{n + j}" for j in range(len(o))]
        n += len(o)
        new_o.append(o)
    if k:
        pd.concat([ents, *new_e]).to_csv(dst / "entities.csv", index=False)
        pd.concat([obs, *new_o]).to_csv(dst / "observations.csv", index=False)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", default=None, help="e.g. 2012-2025 or 2021,2024 (default: every valid year)")
    p.add_argument("--add", default="0,16,48", help="numbers of made-up cities for the growth test")
    p.add_argument("--growth-year", type=int, default=2024)
    args = p.parse_args(argv)
    ds = data.load(data.DEFAULT_DATA_DIR)
    first, last = report.data_years(ds)
    if args.years:
        if "-" in args.years:
            a, b = args.years.split("-")
            years = list(range(int(a), int(b) + 1))
        else:
            years = [int(y) for y in args.years.split(",")]
    else:
        years = list(range(first, last + 1))
    ents = ds.entities["entity_id"].tolist()
    rows = []

    say(f"matrix: {len(ents)} entities × {len(years)} years, forecasts fitted per build …")
    t = time.perf_counter()
    own = run_matrix(ds, ents, years)
    total_own = time.perf_counter() - t
    say("… and with forecasts shared between builds of a year")
    undo = shared_forecasts()
    try:
        t = time.perf_counter()
        shared = run_matrix(ds, ents, years)
        total_shared = time.perf_counter() - t
    finally:
        undo()
    per = sorted(own.values())
    slow = max(own, key=own.get)
    rows += [
        (
            f"whole matrix, {len(ents)} × {len(years)} = {len(own)} builds (forecasts per build)",
            f"{total_own:.1f} s",
            f"median {statistics.median(per):.2f} s per build; slowest {slow[0]} {slow[1]}: {own[slow]:.2f} s",
        ),
        (
            "whole matrix, forecasts shared between builds of a year",
            f"{total_shared:.1f} s",
            (
                f"{total_own / total_shared:.1f}× faster; "
                f"median {statistics.median(shared.values()):.2f} s per build"
            ),
        ),
    ]
    by_entity = {e: sum(v for (e2, _), v in own.items() if e2 == e) for e in ents}
    for e, v in sorted(by_entity.items(), key=lambda kv: -kv[1])[:4]:
        rows.append((f"  of which focal {e}, all years", f"{v:.1f} s", ""))

    # made-up cities copy the rows of the default entity's first peer (a city with a few figures)
    template = (peers.peers(ds, config.load().default_entity) or ents)[0]
    for k in [int(x) for x in args.add.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp) / "data"
            with_copies(data.DEFAULT_DATA_DIR, d, template, k)
            dk = data.load(d)
            ek = dk.entities["entity_id"].tolist()
            say(f"growth: {len(ek)} entities, year {args.growth_year}")
            t = time.perf_counter()
            tk = run_matrix(dk, ek, [args.growth_year])
            total = time.perf_counter() - t
            orig = [v for (e, _), v in tk.items() if e in ents]
            rows.append(
                (
                    f"{len(ek)} entities ({k} made up), one year ({args.growth_year})",
                    f"{total:.1f} s",
                    (
                        f"{total / len(ek):.2f} s per build; "
                        f"original entities median {statistics.median(orig):.2f} s"
                    ),
                )
            )

    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    lines = [
        "# Entity × year matrix",
        "",
        (
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · "
            f"{os.cpu_count()} cores · Python {platform.python_version()} · load average at the end "
            f"{', '.join(f'{x:.1f}' for x in load)} (a shared machine: timings are indicative)"
        ),
        "",
        f"Command: `.venv/bin/python benchmarks/entity_matrix.py {' '.join(argv or sys.argv[1:])}`",
        "",
        "| measure | result | note |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "benchmarks" / "entity_matrix_results.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
