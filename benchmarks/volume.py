"""Build cost against data volume: 1x, 10x and 100x the shipped observation rows.

    .venv/bin/python benchmarks/volume.py [--scales 1,10,100] [--profile 10] [--timeout 1800]

The synthetic rows go into a scratch copy of data/ (never into data/ itself): a synthetic city
beside the report's default entity (report.yml), and under it "replica" zones, each with a copy
of the default entity's own observations (values scaled by a factor). The book (which shows the
default entity) is built from scratch at each scale (``build --force``, empty cache, scratch
site): its cost grows with the rows it loads, validates, derives and digests. The forecasting
step is timed separately for the synthetic city, whose report models every replica series, so
it grows with the number of series. ``--profile N`` profiles that step at scale N.
Timings are measured here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import config, csvio

WORK = ROOT / "benchmarks" / "_work_volume"
SYNTHETIC = "synthetic_city"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def scaled_data(scale: int, dst: Path) -> int:
    """A copy of data/ with about `scale` times the observation rows; returns the row count."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(ROOT / "data", dst)
    focal = config.load().default_entity
    eh, ents = csvio.read_table(dst / "entities.csv")
    oh, obs = csvio.read_table(dst / "observations.csv")
    target = len(obs) * scale
    own = [r for r in obs if r[oh.index("entity")] == focal]
    e_row = next(r for r in ents if r[eh.index("entity_id")] == focal)
    city = dict(zip(eh, e_row))
    city.update(
        entity_id=SYNTHETIC,
        name_en="Synthetic city",
        name_zh="合成城市",
        note="synthetic, for the volume benchmark",
    )
    ents.append([city[c] for c in eh])
    i = 0
    while len(obs) + len(own) <= target and scale > 1:
        i += 1
        eid = f"synthetic_zone_{i:04d}"
        e = dict(zip(eh, e_row))
        e.update(
            entity_id=eid,
            name_en=f"Synthetic zone {i}",
            name_zh=f"合成园区{i}",
            level="zone",
            parent=SYNTHETIC,
            note="synthetic, for the volume benchmark",
        )
        ents.append([e[c] for c in eh])
        factor = 1 + (i % 17) / 50
        for r in own:
            o = dict(zip(oh, r))
            try:
                o["value"] = f"{float(o['value']) * factor:.6g}"
            except ValueError:
                pass
            o.update(obs_id=f"o{len(obs) + 1:06d}", entity=eid)
            obs.append([o[c] for c in oh])
    _write(dst / "entities.csv", eh, ents)
    _write(dst / "observations.csv", oh, obs)
    return len(obs)


def timed_build(data_dir: Path, site: Path, timeout: float) -> tuple[float, str]:
    cache = ROOT / ".cache"
    for sub in ("notebooks", "reports"):
        shutil.rmtree(cache / sub, ignore_errors=True)
    shutil.rmtree(site.parent, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--force", "--data", str(data_dir), "--out", str(site)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    seconds = time.perf_counter() - t0
    lines = [
        ln
        for ln in proc.stderr.replace("\r", "\n").splitlines()
        if ln.strip() and not ln.startswith("Executing")
    ]
    if proc.returncode != 0:
        raise SystemExit(f"build at {data_dir} failed:\n" + "\n".join(lines[-10:]))
    return seconds, " | ".join(ln.strip() for ln in lines if "(" in ln and "s)" in ln)


def forecast_step(data_dir: Path) -> tuple[float, int]:
    """Seconds to compute the report of the synthetic city (every replica series modelled)."""
    from analysis import report

    report.build_report(data_dir=ROOT / "data", memo=False)  # imports paid outside the timing
    t0 = time.perf_counter()
    rep = report.build_report(entity=SYNTHETIC, data_dir=data_dir, memo=False)
    return time.perf_counter() - t0, len(rep.forecasts)


def profile_report(data_dir: Path, top: int = 12) -> None:
    from analysis import report

    report.build_report(data_dir=ROOT / "data", memo=False)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    report.build_report(entity=SYNTHETIC, data_dir=data_dir, memo=False)
    prof.disable()
    print(f"\nbuild_report at {data_dir.name}: {time.perf_counter() - t0:.1f}s; by cumulative time:")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--profile", type=int, default=0, help="profile build_report at this scale")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--no-build", action="store_true", help="only generate (and profile)")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for scale in [int(s) for s in args.scales.split(",")]:
            d = WORK / f"data_x{scale}"
            n = scaled_data(scale, d)
            if args.profile == scale:
                profile_report(d)
            fc_seconds, n_series = forecast_step(d)
            if args.no_build:
                rows.append((scale, n, None, fc_seconds, n_series, ""))
                continue
            seconds, steps = timed_build(d, WORK / f"site_x{scale}" / "html", args.timeout)
            rows.append((scale, n, seconds, fc_seconds, n_series, steps))
            print(
                f"x{scale}: {n} rows, build {seconds:.1f}s, forecast step {fc_seconds:.1f}s",
                file=sys.stderr,
                flush=True,
            )
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    base, fc_base = rows[0][2], rows[0][3]
    print(
        f"\n{'scale':>5} {'rows':>7} {'build s':>8} {'vs 1x':>6} {'series':>7} {'forecast s':>10} "
        f"{'vs 1x':>6}  build steps"
    )
    for scale, n, s, fc, n_series, steps in rows:
        ratio = f"{s / base:.1f}x" if s and base else "-"
        print(
            f"{scale:>5} {n:>7} {s or 0:>8.1f} {ratio:>6} {n_series:>7} {fc:>10.1f} "
            f"{fc / fc_base:>5.1f}x  {steps}"
        )


if __name__ == "__main__":
    main()
