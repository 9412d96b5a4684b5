"""Build the book: execute the notebooks with papermill, then Jupyter Book, then swap the site in.

Steps, each in one place:

1. **Check** the parameters against the data (unknown year or entity: exit 2 before anything
   else happens).
2. **Execute** every chapter notebook with papermill into a staging directory, in parallel up to
   the number of cores, with a progress display. A notebook whose inputs have not changed is
   taken from the cache instead (key: the notebook's cells, the parameters, every data file and
   every library module), so a rebuild with nothing changed starts no kernel.
3. **Build** the HTML with Jupyter Book (``execute_notebooks: "off"``, warnings are errors).
4. **Publish**: the new site replaces ``_build/html`` only when complete; a failure at any step
   leaves the previous site untouched and names the notebook and cell.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from analysis import config, digest

ROOT = digest.ROOT
DATA_DIR = digest.DATA_DIR
BOOK_FILES = ["_config.yml", "_toc.yml", "book"]
BUILD_DIR = ROOT / "_build"
SITE_DIR = BUILD_DIR / "html"
CACHE_DIR = ROOT / ".cache" / "notebooks"
KERNEL_LOG = ROOT / ".cache" / "kernels.log"  # what kernels print on stderr during a build
KERNEL = "python3"


class BuildError(RuntimeError):
    """A step of the build failed; the message names the notebook and cell where there is one."""


@dataclass
class BuildStats:
    """What a build did, for the progress summary and the benchmarks."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    execute_seconds: float = 0.0
    book_seconds: float = 0.0
    total_seconds: float = 0.0

    @property
    def kernels_started(self) -> int:
        return len(self.executed)


def chapter_notebooks() -> list[Path]:
    """The chapter notebooks listed in _toc.yml, in order."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = []
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            f = ch["file"]
            if f.startswith("notebooks/"):
                files.append(ROOT / f"{f}.ipynb")
    return files


# --------------------------------------------------------------------------- cache

def _file_digest(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(Path(p).relative_to(ROOT)).encode())
        h.update(Path(p).read_bytes())
    return h.hexdigest()



def inputs_digest(data_dir: Path | None = None, families: list[str] | None = None) -> str:
    """Digest of the data (all rows, or the declared families) and the library code."""
    return digest.inputs_digest(data_dir or DATA_DIR, families)


def depends_on(path: Path) -> list[str]:
    """The indicator families a notebook declares it reads (metadata analysis.depends_on)."""
    nb = nbformat.read(path, as_version=4)
    return list(nb.metadata.get("analysis", {}).get("depends_on", ["*"]))


def notebook_digest(path: Path) -> str:
    """Digest of a notebook's cells (source and tags), not of its outputs."""
    nb = nbformat.read(path, as_version=4)
    h = hashlib.sha256()
    for c in nb.cells:
        h.update(c.cell_type.encode())
        h.update(c.source.encode())
        h.update(json.dumps(sorted(c.metadata.get("tags", []))).encode())
    return h.hexdigest()


def cache_key(path: Path, params: dict, inputs: str) -> str:
    h = hashlib.sha256()
    h.update(notebook_digest(path).encode())
    h.update(json.dumps(params, sort_keys=True).encode())
    h.update(inputs.encode())
    return h.hexdigest()[:24]


# --------------------------------------------------------------------------- execution

def _tidy(nb) -> None:
    """Hide the injected-parameters cell and drop per-run metadata (timings, papermill stamps)."""
    for c in nb.cells:
        tags = c.metadata.get("tags", [])
        if "injected-parameters" in tags:
            if "remove-cell" not in tags:
                c.metadata["tags"] = tags + ["remove-cell"]
            c.id = "injected-parameters"  # papermill gives it a random id
            # the per-build scratch path is plumbing, not a parameter of the report
            c.source = "\n".join(ln if not ln.startswith("downloads_dir = ")
                                 else 'downloads_dir = "(build directory)"'
                                 for ln in c.source.splitlines())
        c.metadata.pop("papermill", None)
        c.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader sees the old content or the new, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)




def run_notebook(src: Path, dst: Path, params: dict | None = None,
                 timeout: float | None = None) -> None:
    """Execute one notebook with papermill and write it, tidied, to ``dst``.

    The process's working directory is never changed: papermill gets the notebook as an object
    (so its file handlers, which ``chdir``, are not used, and neither is its ``cwd=``, which races
    between parallel builds), and the kernel is started in the notebook's folder through
    nbclient's ``resources``. ``timeout`` bounds the whole notebook: each cell may use what is
    left of it. A failing cell, a timeout or a dead kernel raises BuildError naming the notebook
    and the cell (counted from 1 in the notebook as stored, markdown cells included).
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    source = nbformat.read(src, as_version=4)
    ids = [c.get("id") for c in source.cells]
    timeout = config.load().notebook_timeout if timeout is None else timeout
    deadline = time.monotonic() + timeout if timeout > 0 else None
    running = {"id": None}

    def remaining(cell) -> int | None:
        running["id"] = cell.get("id")
        return None if deadline is None else max(1, int(deadline - time.monotonic()) + 1)

    def where() -> str:
        return f" in cell {ids.index(running['id']) + 1}" if running["id"] in ids else ""

    try:
        nb = pm.execute_notebook(source, None, parameters=params or {}, kernel_name=KERNEL,
                                 progress_bar=False, log_output=False, timeout_func=remaining,
                                 resources={"metadata": {"path": str(src.parent)}})
    except pm.PapermillExecutionError as exc:
        raise BuildError(f"notebook {_shown(src)} failed{where()}: {exc.ename}: {exc.evalue}") from None
    except CellTimeoutError:
        raise BuildError(f"notebook {_shown(src)} ran longer than its time limit of {timeout:g} s"
                         f"{where()} and was stopped (raise the limit with --timeout)") from None
    except DeadKernelError:
        raise BuildError(f"notebook {_shown(src)}: the Python kernel died{where()} "
                         f"(out of memory or killed); see .cache/kernels.log") from None
    _tidy(nb)
    write_atomic(dst, nbformat.writes(nb))


def _execute(src: Path, dst: Path, params: dict, timeout: float | None = None) -> float:
    """Run one chapter notebook for the book; returns the seconds taken."""
    t0 = time.perf_counter()
    run_notebook(src, dst, params, timeout)
    return time.perf_counter() - t0


def execute_notebooks(notebooks: list[Path], out_dir: Path, downloads: Path, params: dict,
                      jobs: int | None = None, force: bool = False, progress: bool = True,
                      stats: BuildStats | None = None,
                      timeout: float | None = None) -> BuildStats:
    """Execute (or take from the cache) every notebook into out_dir; CSVs go to downloads."""
    from tqdm import tqdm

    stats = stats or BuildStats()
    out_dir.mkdir(parents=True, exist_ok=True)
    downloads.mkdir(parents=True, exist_ok=True)
    todo = []
    for nb in notebooks:
        key = cache_key(nb, params, inputs_digest(families=depends_on(nb)))
        hit = CACHE_DIR / key
        if not force and (hit / nb.name).exists():
            shutil.copy2(hit / nb.name, out_dir / nb.name)
            for f in (hit / "downloads").glob("*.csv"):
                shutil.copy2(f, downloads / f.name)
            stats.cached.append(nb.stem)
        else:
            todo.append((nb, key))
    if not todo:
        return stats
    # longest first (by the last measured time): the build ends when the slowest worker ends
    timings_file = CACHE_DIR / "timings.json"
    known = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    todo.sort(key=lambda item: -known.get(item[0].stem, 0.0))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    t0 = time.perf_counter()

    def run(nb: Path, key: str):
        own = out_dir.parent / f".downloads-{nb.stem}"  # each notebook's CSVs, for its cache entry
        own.mkdir(parents=True, exist_ok=True)
        return nb, key, own, _execute(nb, out_dir / nb.name,
                                           {**params, "downloads_dir": str(own)}, timeout)

    errors = []
    with _kernel_messages_to(KERNEL_LOG) as terminal:
        bar = tqdm(total=len(todo), desc="Executing notebooks", unit="nb", disable=not progress,
                   file=terminal)
        _run_all(todo, run, jobs, bar, errors, stats, out_dir, downloads)
        bar.close()
    stats.execute_seconds = time.perf_counter() - t0
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    timings_file.write_text(json.dumps({**known, **stats.timings}, indent=1, sort_keys=True))
    if errors:
        raise BuildError("; ".join(sorted(errors)))
    return stats


@contextlib.contextmanager
def _kernel_messages_to(log: Path):
    """Send what the kernels print on stderr (start-up warnings, shutdown notices) to a log file
    instead of the analyst's terminal; yield a stream to the terminal for the progress bar.
    Kernels inherit file descriptor 2 when they start, so the descriptor itself is redirected."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    with open(log, "wb") as f:  # the last build's messages
        os.dup2(f.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            terminal.close()


def _run_all(todo, run, jobs, bar, errors, stats, out_dir, downloads) -> None:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run, nb, key) for nb, key in todo]
        for fut in as_completed(futures):
            try:
                nb, key, own, seconds = fut.result()
            except BuildError as exc:
                errors.append(str(exc))
                bar.update(1)
                continue
            stats.executed.append(nb.stem)
            stats.timings[nb.stem] = seconds
            bar.set_postfix_str(f"{nb.stem} {seconds:.1f}s")
            bar.update(1)
            for f in own.glob("*.csv"):
                shutil.copy2(f, downloads / f.name)
            cached = CACHE_DIR / key
            (cached / "downloads").mkdir(parents=True, exist_ok=True)
            shutil.copy2(out_dir / nb.name, cached / nb.name)
            for f in own.glob("*.csv"):
                shutil.copy2(f, cached / "downloads" / f.name)
            shutil.rmtree(own, ignore_errors=True)


# --------------------------------------------------------------------------- book

def jupyter_book(src: Path, out: Path) -> float:
    """Build the HTML with warnings as errors; raise BuildError with Sphinx's messages."""
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", str(src), "--path-output", str(out),
           "--builder", "html", "-W", "-n", "--keep-going"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines()
                 if "WARNING" in ln or "ERROR" in ln or "Error" in ln]
        raise BuildError("Jupyter Book build failed:\n  " + "\n  ".join(lines[-20:] or [proc.stderr[-2000:]]))
    return time.perf_counter() - t0


def stage_sources(stage: Path) -> None:
    for name in BOOK_FILES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, stage / name)
        else:
            shutil.copy2(p, stage / name)


def write_site_data(rep, extra: Path) -> None:
    """Scorecard and forecasts as CSV beside the site (results/*.csv) for other tools."""
    from analysis import forecast

    d = extra / "results"
    d.mkdir(parents=True, exist_ok=True)
    rep.card.to_csv(d / "scorecard.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    forecast.forecast_table(rep.forecasts).to_csv(d / "forecasts.csv", index=False,
                                                  encoding="utf-8-sig", lineterminator="\n")
    forecast.paths_table(rep.forecasts).to_csv(d / "forecast_paths.csv", index=False,
                                               encoding="utf-8-sig", lineterminator="\n")
    rep.obs.to_csv(d / "observations_used.csv", index=False, encoding="utf-8-sig", lineterminator="\n")


def expected_pages() -> list[str]:
    return ["index.html", "book/index.html", "book/caveats.html"] + [
        f"notebooks/{p.stem}.html" for p in chapter_notebooks()]


def publish(new_site: Path, site: Path = SITE_DIR) -> None:
    """Replace `site` by `new_site` only if every page is there; keep the old site otherwise."""
    missing = [p for p in expected_pages() if not (new_site / p).exists()]
    if missing:
        raise BuildError(f"the new site is incomplete (missing {', '.join(missing)}); "
                         f"the previous site is left in place")
    old = site.with_name(site.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site.exists():
        os.replace(site, old)
    os.replace(new_site, site)
    shutil.rmtree(old, ignore_errors=True)


def site_key(params: dict) -> str:
    """Digest of everything the site is built from: if unchanged, the site is up to date."""
    h = hashlib.sha256()
    h.update(json.dumps(params, sort_keys=True).encode())
    h.update(inputs_digest().encode())
    for nb in chapter_notebooks():
        h.update(notebook_digest(nb).encode())
    book = [ROOT / "_config.yml", ROOT / "_toc.yml", *sorted((ROOT / "book").rglob("*"))]
    h.update(_file_digest([p for p in book if p.is_file()]).encode())
    return h.hexdigest()


KEY_FILE = ".build-key"


def build(year: int | None = None, entity: str | None = None, horizon: int | None = None,
          jobs: int | None = None, force: bool = False, out: str | Path | None = None,
          progress: bool = True, stats: BuildStats | None = None,
          timeout: float | None = None) -> int:
    """The whole pipeline; returns the exit status (0 ok, 1 build failed, 2 bad input)."""
    cfg = config.load()
    entity = entity or cfg.default_entity
    horizon = cfg.default_horizon if horizon is None else horizon
    t_start = time.perf_counter()
    stats = stats if stats is not None else BuildStats()
    site = Path(out) if out else SITE_DIR
    key = site_key({"report_year": year, "entity": entity, "horizon": horizon})
    key_file = site / KEY_FILE
    if not force and key_file.exists() and key_file.read_text() == key:
        stats.total_seconds = time.perf_counter() - t_start
        if progress:
            print(f"{site / 'index.html'} is up to date (no notebook, data or library change).",
                  file=sys.stderr)
        return 0
    from analysis import data
    from analysis.report import build_report, check_parameters

    ds = data.load()  # DataError propagates: exit 2 with file/row/column messages
    year = check_parameters(ds, year, entity, horizon)  # ParameterError: exit 2
    params = {"report_year": year, "entity": entity, "horizon": int(horizon)}
    site.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(site.parent / f".staging-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    src = stage / "src"
    try:
        src.mkdir(parents=True)
        stage_sources(src)
        extra = src / "_extra"
        # computed once here and memoised on disk: every notebook loads it instead of recomputing
        rep = build_report(year, entity, horizon, memo=True)
        write_site_data(rep, extra)
        execute_notebooks(chapter_notebooks(), src / "notebooks", extra / "downloads", params,
                          jobs=jobs, force=force, progress=progress, stats=stats,
                          timeout=timeout)
        if progress:
            print("Building the HTML with Jupyter Book …", file=sys.stderr)
        stats.book_seconds = jupyter_book(src, stage / "out")
        (stage / "out" / "_build" / "html" / KEY_FILE).write_text(key)
        publish(stage / "out" / "_build" / "html", site)
    except BuildError as exc:
        print(f"Build failed: {exc}", file=sys.stderr)
        print(f"The previous site in {site} is unchanged.", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    stats.total_seconds = time.perf_counter() - t_start
    if progress:
        print(f"Built {site / 'index.html'} for report year {year} "
              f"({len(stats.executed)} notebook(s) executed, {len(stats.cached)} from cache, "
              f"{stats.total_seconds:.1f}s)", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- committed notebooks

STAMP_KEY = "analysis"


def committed_stamp(path: Path) -> str:
    """What the committed outputs of a notebook were computed from (cells + data + library)."""
    return cache_key(path, {}, inputs_digest())


def refresh_notebooks(check: bool = False) -> int:
    """Re-execute notebooks/ in place with their default parameters, or check they are current.

    The stamp stored in each notebook's metadata records the inputs its outputs came from;
    ``--check`` compares it with the current inputs and exits 1 when any notebook is stale.
    """
    stale = []
    for nb_path in chapter_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        current = committed_stamp(nb_path)
        if nb.metadata.get(STAMP_KEY, {}).get("inputs") != current:
            stale.append(nb_path)
    if check:
        if stale:
            print("Committed notebook outputs are stale (run `make refresh-notebooks`): "
                  + ", ".join(p.name for p in stale), file=sys.stderr)
            return 1
        print("Committed notebook outputs are current.")
        return 0
    from tqdm import tqdm

    for nb_path in tqdm(chapter_notebooks(), desc="Refreshing notebooks", unit="nb", file=sys.stderr):
        try:
            run_notebook(nb_path, nb_path)
        except BuildError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        nb = nbformat.read(nb_path, as_version=4)
        # keep the other keys of the notebook's metadata (its declared depends_on)
        nb.metadata.setdefault(STAMP_KEY, {})["inputs"] = committed_stamp(nb_path)
        nbformat.write(nb, nb_path)
    return 0
