"""Setup and test time on a fresh clone, and proof that the install follows uv.lock.

    python3 benchmarks/setup.py [--runs 1] [--cold-cache]

For each run: `git clone` of this repository's HEAD into a new temporary directory, then
`make install` there (a new `.venv` from `uv.lock`; uv's package cache is the machine's, warm after
the first install, unless --cold-cache gives it an empty one), then `make test`. Prints the wall
times, the versions the fresh `.venv` holds for the main packages next to the versions in
`uv.lock` and the newest the package registry offers, and writes benchmarks/setup_results.md
(read into benchmarks/results.md by run.py). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "pandera",
    "papermill",
    "jupyter-book",
    "sphinx",
    "nbval",
]


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(cmd: list[str], cwd: Path, env: dict, log: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    with open(log, "w") as f:
        rc = subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - t0, rc


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {p["name"]: p.get("version", "") for p in lock["package"]}


def installed_versions(venv_python: Path) -> dict[str, str]:
    code = (
        "import json, importlib.metadata as m; print(json.dumps({d.metadata['Name'].lower(): d.version "
        "for d in m.distributions()}))"
    )
    out = subprocess.run([str(venv_python), "-c", code], capture_output=True, text=True, check=True).stdout
    import json

    return json.loads(out)


def newest_on_registry(name: str) -> str:
    """The newest release the registry lists (any Python), via pip's own index query."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", name], capture_output=True, text=True
    )
    m = re.search(rf"^{re.escape(name)} \(([^)]+)\)", proc.stdout, re.M | re.I)
    return m.group(1) if m else "?"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1, help="fresh clones to set up and test")
    ap.add_argument("--cold-cache", action="store_true", help="give uv an empty package cache")
    args = ap.parse_args(argv)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    rows, versions = [], None
    with tempfile.TemporaryDirectory(prefix="setup-bench-") as tmp:
        for i in range(args.runs):
            clone = Path(tmp) / f"clone{i}"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            env = dict(os.environ)
            if args.cold_cache:
                env["UV_CACHE_DIR"] = str(Path(tmp) / f"uv-cache{i}")
            say(f"run {i + 1}/{args.runs}: make install in {clone} …")
            t_install, rc = timed(["make", "install"], clone, env, Path(tmp) / f"install{i}.log")
            if rc:
                say((Path(tmp) / f"install{i}.log").read_text()[-3000:])
                return 1
            if versions is None:
                versions = installed_versions(clone / ".venv" / "bin" / "python")
            say(f"run {i + 1}/{args.runs}: make test …")
            t_test, rc = timed(["make", "test"], clone, env, Path(tmp) / f"test{i}.log")
            tail = (Path(tmp) / f"test{i}.log").read_text().strip().splitlines()[-1]
            rows.append((t_install, t_test, rc, tail))
            say(f"  install {t_install:.1f} s, make test {t_test:.1f} s, exit {rc}: {tail}")
    locked = locked_versions()
    lines = [
        f"## Setup and tests on a fresh clone\n\n- Date: {dt.date.today().isoformat()}, commit {head}\n"
        f"- Command: `python3 benchmarks/setup.py --runs {args.runs}"
        f"{' --cold-cache' if args.cold_cache else ''}` (uv cache: "
        f"{'empty' if args.cold_cache else 'the machine’s, warm'})\n",
        "| run | `make install` (new .venv) | `make test` | result |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {i + 1} | {a:.1f} s | {b:.1f} s | exit {rc}: {tail.strip('= ')} |"
        for i, (a, b, rc, tail) in enumerate(rows)
    ]
    lines += [
        "",
        "Versions in the fresh `.venv` against `uv.lock` and the newest release on the registry:",
        "",
        "| package | installed | uv.lock | newest on the registry |",
        "|---|---|---|---|",
    ]
    for name in PACKAGES:
        lines.append(
            f"| {name} | {versions.get(name, '–')} | {locked.get(name, '–')} | {newest_on_registry(name)} |"
        )
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "setup_results.md").write_text(text, encoding="utf-8")
    print(text)
    bad = [r for r in rows if r[2]] or [n for n in PACKAGES if versions.get(n) != locked.get(n)]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
