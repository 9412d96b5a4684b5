"""Benchmarks of the report pipeline, measured side by side in one run.

    .venv/bin/python benchmarks/run.py [--repeats 3] [--scale 1,10,50]

Prints a table of results with ratios and writes benchmarks/results.md (machine, date, commands).
Not part of the test suite: timings are measured here, never asserted in a test.

1. Cold build (no cache) against its floor: the slowest single notebook's execution plus a bare
   Jupyter Book build of the already-executed pages.
2. Warm rebuild with nothing changed (a fresh `python -m analysis build`): time, kernels started.
3. One data row changed: which notebooks re-execute.
4. Where the time goes: per notebook, kernel start, imports, the shared report, Jupyter Book.
5. Forecast accuracy: rolling-origin backtests of every candidate and of the chosen model (the
   choice itself made inside each origin, so it is not scored on data it was chosen with), MAE
   and MASE against the naive and drift baselines, coverage of the 80% and 95% intervals.
6. Scale: the analysis for 1, 10 and 50 synthetic entities.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import data, forecast, growth, pipeline, report  # noqa: E402

WORK = ROOT / "benchmarks" / "_work"
ROWS: list[tuple[str, str, str]] = []  # (measure, result, target / note)


def med(xs):
    return statistics.median(xs)


def spread(xs):
    return f"median {med(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})"


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def clear_caches():
    shutil.rmtree(pipeline.CACHE_DIR, ignore_errors=True)
    shutil.rmtree(report.MEMO_DIR, ignore_errors=True)


# --------------------------------------------------------------------------- builds


def cold_builds(repeats: int):
    totals, stats_list = [], []
    for i in range(repeats):
        clear_caches()
        s = pipeline.BuildStats()
        t0 = time.perf_counter()
        rc = pipeline.build(out=WORK / "site", force=True, progress=False, stats=s)
        totals.append(time.perf_counter() - t0)
        assert rc == 0, "build failed"
        stats_list.append(s)
        say(f"  cold build {i + 1}/{repeats}: {totals[-1]:.1f} s")
    return totals, stats_list


def floor_parts(repeats: int):
    """Each notebook executed alone (one at a time), and a bare Jupyter Book build of them."""
    nbs = pipeline.chapter_notebooks()
    rep = report.build_report(memo=True)  # the shared report exists, as in a build
    year = rep.year
    per_nb: dict[str, list[float]] = {nb.stem: [] for nb in nbs}
    book: list[float] = []
    for i in range(repeats):
        stage = WORK / "floor"
        shutil.rmtree(stage, ignore_errors=True)
        src = stage / "src"
        src.mkdir(parents=True)
        pipeline.stage_sources(src)
        (src / "notebooks").mkdir()
        (src / "_extra" / "downloads").mkdir(parents=True)
        pipeline.write_site_data(rep, src / "_extra")
        for nb in nbs:
            params = {
                "report_year": year,
                "entity": "ordos_city",
                "horizon": 3,
                "downloads_dir": str(src / "_extra" / "downloads"),
            }
            per_nb[nb.stem].append(pipeline._execute(nb, src / "notebooks" / nb.name, params))
        book.append(pipeline.jupyter_book(src, stage / "out"))
        say(
            f"  floor run {i + 1}/{repeats}: slowest notebook {max(v[-1] for v in per_nb.values()):.1f} s, "
            f"book {book[-1]:.1f} s"
        )
    return per_nb, book


def warm_rebuilds(repeats: int):
    site = WORK / "site"
    assert pipeline.build(out=site, progress=False) == 0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "analysis", "build", "--out", str(site)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - t0)
        assert r.returncode == 0, r.stderr
    s = pipeline.BuildStats()
    pipeline.build(out=site, progress=False, stats=s)
    return times, s.kernels_started


def one_row_changed():
    """Change one patent figure (the zone's 2021 applications) in a scratch copy of data/ and
    rebuild from it (``build(data_dir=…)``): the shipped data is never written."""
    site = WORK / "site"
    scratch = WORK / "data"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(data.DEFAULT_DATA_DIR, scratch)
    obs = scratch / "observations.csv"
    text = obs.read_text(encoding="utf-8")
    old = ",patent_applications,2021,year,,458,"
    assert old in text, "benchmark row not found"
    assert pipeline.build(out=site, progress=False, data_dir=scratch) == 0
    s = pipeline.BuildStats()
    obs.write_text(text.replace(old, ",patent_applications,2021,year,,459,"), encoding="utf-8")
    t0 = time.perf_counter()
    assert pipeline.build(out=site, progress=False, stats=s, data_dir=scratch) == 0
    seconds = time.perf_counter() - t0
    return s, seconds


def kernel_and_imports(repeats: int):
    import jupyter_client

    kstart, imports, rep_times = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")
        kstart.append(time.perf_counter() - t0)
        km.shutdown_kernel(now=True)
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from analysis import plots, report, tables, views; import IPython.display",
            ],
            check=True,
        )
        imports.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        report.build_report(memo=False)
        rep_times.append(time.perf_counter() - t0)
    return kstart, imports, rep_times


# --------------------------------------------------------------------------- forecast accuracy


def long_series(min_obs: int = 5):
    ds = data.load()
    obs = growth.analysis_observations(data.as_of(ds, report.latest_full_year(ds)))
    meta = ds.indicators.set_index("indicator_id")
    out = []
    for (e, i), _ in obs[obs["period"] == "year"].groupby(["entity", "indicator"]):
        if meta.loc[i, "measure"] not in forecast.FORECAST_MEASURES:
            continue
        s = growth.comparable_segment(growth.series(obs, e, i))
        if len(s) >= min_obs:
            out.append(
                (e, i, meta.loc[i, "unit"], s["year"].astype(int).to_numpy(), s["value"].to_numpy(float))
            )
    return out


def accuracy():
    rows, chosen_rows = [], []
    for e, i, unit, years, values in long_series():
        names = forecast.candidates(years, values)
        scale = forecast.mase_scale(values)
        bt = forecast.backtest(years, values, names, unit, forecast.INITIAL_WINDOW)
        for m, g in bt.groupby("model"):
            rows.append(
                {
                    "series": f"{e}/{i}",
                    "model": m,
                    "n": len(g),
                    "mae": g["abs_error"].mean(),
                    "mase": g["abs_error"].mean() / scale,
                    "cov80": g["in80"].mean(),
                    "cov95": g["in95"].mean(),
                }
            )
        # the chosen model, chosen afresh at each origin from the data before it
        for k in range(forecast.INITIAL_WINDOW + 1, len(years)):
            sf = forecast.forecast_series(e, i, unit, years[:k], values[:k], int(years[k]))
            if sf.status != "ok":
                continue
            iv = forecast.interval_row(sf.fitted.dist(int(years[k])), unit)
            a = float(values[k])
            nv = forecast.interval_row(
                forecast.fit_model("naive", years[:k], values[:k]).dist(int(years[k])), unit
            )
            dv = forecast.interval_row(
                forecast.fit_model("drift", years[:k], values[:k]).dist(int(years[k])), unit
            )
            chosen_rows.append(
                {
                    "series": f"{e}/{i}",
                    "year": int(years[k]),
                    "model": sf.model,
                    "err": abs(iv["mean"] - a),
                    "naive_err": abs(nv["mean"] - a),
                    "drift_err": abs(dv["mean"] - a),
                    "scale": scale,
                    "in80": iv["lo80"] <= a <= iv["hi80"],
                    "in95": iv["lo95"] <= a <= iv["hi95"],
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(chosen_rows)


# --------------------------------------------------------------------------- scale


def synthetic_package(n: int, dest: Path, seed: int = 7) -> Path:
    """A data package with the shipped schema and `n` synthetic cities (gappy series, targets)."""
    rng = np.random.default_rng(seed)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    src = data.DEFAULT_DATA_DIR
    for name in ("indicators", "sources"):
        shutil.copy2(src / f"{name}.csv", dest / f"{name}.csv")
    ents = pd.read_csv(src / "entities.csv", dtype=str, keep_default_na=False)
    new = pd.DataFrame(
        {
            "entity_id": [f"city_{k:03d}" for k in range(n)],
            "name_en": [f"Synthetic city {k}" for k in range(n)],
            "name_zh": [f"合成城市{k}" for k in range(n)],
            "level": "city",
            "parent": "inner_mongolia",
            "note": "synthetic",
        }
    )
    pd.concat([ents, new]).to_csv(dest / "entities.csv", index=False)
    conf = pd.read_csv(src / "conflicts.csv", dtype=str, keep_default_na=False)
    conf.iloc[0:0].to_csv(dest / "conflicts.csv", index=False)
    cols = pd.read_csv(src / "observations.csv", nrows=0).columns
    rows, oid = [], 1
    spec = {
        "rd_expenditure": ("100m_cny", 20, 0.10),
        "gdp": ("100m_cny", 2000, 0.06),
        "high_tech_enterprises": ("count", 50, 0.15),
        "tech_smes": ("count", 120, 0.2),
        "patent_applications": ("count", 800, 0.08),
    }
    for e in new["entity_id"]:
        years = sorted(rng.choice(np.arange(2012, 2024), size=8, replace=False).tolist()) + [2024]
        for ind, (unit, base, g) in spec.items():
            for y in years:
                v = base * (1 + g) ** (y - 2012) * rng.lognormal(0, 0.05)
                v = round(v) if unit == "count" else round(v, 1)
                rows.append(
                    {
                        "obs_id": f"o{oid:05d}",
                        "entity": e,
                        "indicator": ind,
                        "year": int(y),
                        "period": "year",
                        "value": v,
                        "unit": unit,
                        "source_id": "s_plan_2021_342",
                        "locator": "synthetic",
                        "confidence": "low",
                        "note": "synthetic",
                    }
                )
                oid += 1
    pd.DataFrame(rows).reindex(columns=cols).to_csv(dest / "observations.csv", index=False)
    tcols = pd.read_csv(src / "targets.csv", nrows=0).columns
    trows = []
    for e in new["entity_id"]:
        for ind, val in (("high_tech_enterprises", 400), ("tech_smes", 900), ("rd_intensity", 2.5)):
            trows.append(
                {
                    "target_id": f"{e}_{ind}",
                    "entity": e,
                    "indicator": ind,
                    "kind": "level",
                    "comparator": ">=",
                    "target_value": val,
                    "unit": "percent" if ind == "rd_intensity" else "count",
                    "baseline_year": 2021,
                    "target_year": 2027,
                    "adopted_year": 2021,
                    "theme": "Synthetic",
                    "name_zh": "合成目标",
                    "name_en": "synthetic target",
                    "source_id": "s_plan_2021_342",
                    "locator": "synthetic",
                }
            )
    pd.DataFrame(trows).reindex(columns=tcols).to_csv(dest / "targets.csv", index=False)
    return dest


def scale(ns: list[int], repeats: int):
    out = {}
    for n in ns:
        d = synthetic_package(n, WORK / f"synthetic_{n}")
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            ds = data.load(d)
            rep = report.build_report(2024, "city_000", 3, ds=ds)
            times.append(time.perf_counter() - t0)
        out[n] = (times, len(rep.forecasts), len(rep.card))
        say(f"  scale {n}: {med(times):.2f} s")
    return out


# --------------------------------------------------------------------------- report


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scale", default="1,10,50")
    args = ap.parse_args(argv)
    R = args.repeats
    WORK.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()

    say("1/6 cold builds …")
    cold, cold_stats = cold_builds(R)
    say("    floor …")
    per_nb, book = floor_parts(R)
    slowest = max(per_nb, key=lambda k: med(per_nb[k]))
    floor = med(per_nb[slowest]) + med(book)
    total_work = sum(med(v) for v in per_nb.values())
    cores = os.cpu_count() or 1
    bound = max(med(per_nb[slowest]), total_work / cores) + med(book)
    ROWS.append(("Cold build (execute all notebooks + HTML)", spread(cold), ""))
    ROWS.append(
        (
            "Floor: slowest notebook alone + bare Jupyter Book build",
            f"{floor:.2f} s ({slowest} {med(per_nb[slowest]):.2f} s + book {med(book):.2f} s)",
            "",
        )
    )
    ROWS.append(("Cold build / floor", f"{med(cold) / floor:.2f}×", "target ≤ 1.3×"))
    ROWS.append(
        (
            f"Work bound on {cores} cores: max(slowest, Σ notebooks / cores) + book",
            f"{bound:.2f} s (Σ notebooks {total_work:.2f} s)",
            "",
        )
    )
    ROWS.append(("Cold build / work bound", f"{med(cold) / bound:.2f}×", "overhead of the pipeline itself"))

    say("2/6 warm rebuilds …")
    warm, kernels = warm_rebuilds(max(R, 5))
    ROWS.append(("Warm rebuild, nothing changed (fresh process)", spread(warm), "target < 1 s"))
    ROWS.append(("Kernels started by the warm rebuild", str(kernels), "target 0"))
    ROWS.append(("Warm / cold", f"{med(warm) / med(cold):.3f}×", ""))

    say("3/6 one data row changed …")
    changed, secs = one_row_changed()
    ROWS.append(
        (
            "One row changed (zone patent applications 2021): re-executed",
            ", ".join(sorted(changed.executed)) or "none",
            f"{secs:.1f} s",
        )
    )
    ROWS.append(("… taken from the cache", ", ".join(sorted(changed.cached)) or "none", ""))

    say("4/6 where the time goes …")
    kstart, imports, rep_times = kernel_and_imports(R)
    where = [(k, med(v)) for k, v in sorted(per_nb.items())]
    cs = cold_stats[-1]

    say("5/6 forecast accuracy …")
    cand, chosen = accuracy()

    say("6/6 scale …")
    ns = [int(x) for x in args.scale.split(",")]
    sc = scale(ns, R)

    # ------------------------------------------------------------------ print and write
    lines = []
    lines.append(
        f"# Benchmark results\n\n- Date: {dt.date.today().isoformat()}\n- Machine: {machine()}\n"
        f"- Command: `.venv/bin/python benchmarks/run.py --repeats {R} --scale {args.scale}` "
        f"(or `make benchmark`)\n- Wall time of this run: {time.perf_counter() - t_all:.0f} s\n"
        f"- Medians over {R} runs (warm rebuild: {max(R, 5)}), with min and max.\n"
    )
    lines.append("## Builds\n\n| measure | result | target / note |\n|---|---|---|")
    lines += [f"| {a} | {b} | {c} |" for a, b, c in ROWS]
    lines.append("\n## Where the time goes\n\n| part | median seconds |\n|---|---|")
    lines += [f"| notebook {k} (executed alone) | {v:.2f} |" for k, v in where]
    lines.append(f"| kernel start | {med(kstart):.2f} |")
    lines.append(f"| imports of a chapter (fresh interpreter) | {med(imports):.2f} |")
    lines.append(
        f"| shared report (load, derive, forecast, scorecard), computed once per build | {med(rep_times):.2f} |"
    )
    lines.append(f"| Jupyter Book build of executed pages | {med(book):.2f} |")
    lines.append(
        f"| notebook execution phase in the last cold build ({cores} in parallel) | {cs.execute_seconds:.2f} |"
    )

    lines.append("\n## Forecast accuracy (rolling origin, one step ahead)\n")
    if chosen.empty:
        lines.append("No series is long enough (5 or more annual observations).")
    else:
        lines.append(
            "Every candidate, initial window 3:\n\n| series | model | forecasts | MAE | MASE | 80% cov. | 95% cov. |\n|---|---|---|---|---|---|---|"
        )
        for r in cand.to_dict("records"):
            lines.append(
                f"| {r['series']} | {r['model']} | {r['n']} | {r['mae']:.4g} | {r['mase']:.2f} | "
                f"{r['cov80']:.0%} | {r['cov95']:.0%} |"
            )
        per = chosen.groupby("series").agg(
            n=("err", "size"),
            mae=("err", "mean"),
            naive=("naive_err", "mean"),
            drift=("drift_err", "mean"),
            scale=("scale", "first"),
            cov80=("in80", "mean"),
            cov95=("in95", "mean"),
        )
        lines.append(
            "\nThe chosen model, chosen afresh at each origin (origins from the 4th observation):\n\n"
            "| series | forecasts | MAE | MASE | MAE / naive | MAE / drift | 80% cov. | 95% cov. |\n|---|---|---|---|---|---|---|---|"
        )
        for s, r in per.iterrows():
            lines.append(
                f"| {s} | {int(r['n'])} | {r['mae']:.4g} | {r['mae'] / r['scale']:.2f} | "
                f"{r['mae'] / r['naive']:.2f} | {r['mae'] / r['drift']:.2f} | {r['cov80']:.0%} | {r['cov95']:.0%} |"
            )
        no_worse = (per["mae"] <= per["naive"] + 1e-12).mean()
        c80, c95 = chosen["in80"].mean(), chosen["in95"].mean()
        lines.append(
            f"\n- Chosen model no worse than naive on **{no_worse:.0%}** of {len(per)} series (target ≥ 80%)."
        )
        lines.append(
            f"- Empirical coverage over {len(chosen)} forecasts: 80% interval **{c80:.0%}**, "
            f"95% interval **{c95:.0%}** (target: within 10 points of nominal)."
        )
        ROWS.append(
            ("Chosen model no worse than naive", f"{no_worse:.0%} of {len(per)} series", "target ≥ 80%")
        )
        ROWS.append(
            (
                "Coverage of 80% / 95% intervals (chosen model)",
                f"{c80:.0%} / {c95:.0%} over {len(chosen)} forecasts",
                "target 70–90% / 85–100%",
            )
        )

    lines.append(
        "\n## Scale (synthetic entities, shipped schema: load + validate + derive + forecast + scorecard)\n\n"
        "| entities | series modelled or listed | targets | total (median) | per entity | spread |\n|---|---|---|---|---|---|"
    )
    base = None
    for n, (times, nf, nt) in sc.items():
        base = base or med(times) / n
        lines.append(
            f"| {n} | {nf} | {nt} | {med(times):.2f} s | {med(times) / n:.3f} s | {min(times):.2f}–{max(times):.2f} s |"
        )
        ROWS.append(
            (
                f"Scale: {n} synthetic entities",
                f"{med(times):.2f} s ({med(times) / n:.3f} s per entity)",
                f"per-entity cost ×{(med(times) / n) / base:.2f} vs 1 entity",
            )
        )

    setup = ROOT / "benchmarks" / "setup_results.md"  # written by benchmarks/setup.py
    lines.append(
        "\n"
        + (
            setup.read_text(encoding="utf-8")
            if setup.exists()
            else "## Setup and tests on a fresh clone\n\nNot measured: run `make benchmark-setup`."
        )
    )
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results.md").write_text(text, encoding="utf-8")
    width = max(len(a) for a, _, _ in ROWS)
    print(f"\nBenchmarks — {machine()}")
    for a, b, c in ROWS:
        print(f"{a:<{width}}  {b}" + (f"   [{c}]" if c else ""))
    print("\nFull results: benchmarks/results.md")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
