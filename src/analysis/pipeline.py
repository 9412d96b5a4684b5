"""Build the book: execute the notebooks with papermill, then Jupyter Book, then swap the site in.

Steps, each in one place:

1. **Check** the parameters against the data (unknown year or entity: exit 2 before anything
   else happens).
2. **Execute** every chapter notebook with papermill into a staging directory, in parallel up to
   the number of cores, with a progress display. A notebook whose inputs have not changed is
   taken from the cache instead (key: the notebook's cells and their metadata, the parameters,
   the notebook's declared data, every library module and the locked environment), so a rebuild
   with nothing changed starts no kernel. Cache entries and state files are written atomically
   and checked against a digest on read (``analysis.cache``): a damaged one is re-executed.
3. **Build** the HTML with Jupyter Book (``execute_notebooks: "off"``, warnings are errors).
   Steps 2 and 3 run once per edition (report.yml ``languages``): the notebooks get the edition's
   ``lang``, Sphinx its ``language`` and the gettext catalogs of ``locales/``; the primary edition
   is the site's root, the others sit in a folder each (``en/``), with a switch on every page.
4. **Publish**: the new site replaces ``_build/html`` only when complete; a failure at any step
   leaves the previous site untouched and names the notebook and cell.

One build at a time per site (a lock file beside it; a second build waits). A build killed at any
point leaves the old or the new site: at the next start a site caught between the two renames
of the swap is restored and staging directories of dead builds are removed. Ctrl-C stops the
kernels and Jupyter Book this build started, removes its staging directory and says so.
The library raises (BuildError, DataError, ParameterError, KeyboardInterrupt); the command line
turns them into exit statuses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from analysis import cache, config, digest
from analysis.errors import BuildError  # raised by this module; imported from here by callers

ROOT = digest.ROOT
DATA_DIR = digest.DATA_DIR
BOOK_FILES = ["_config.yml", "_toc.yml", "book", "locales"]
BUILD_DIR = ROOT / "_build"
SITE_DIR = BUILD_DIR / "html"
CACHE_DIR = ROOT / ".cache" / "notebooks"
KERNEL_LOG = ROOT / ".cache" / "kernels.log"  # what kernels print on stderr during a build
KERNEL = "python3"
STAMP_KEY = "analysis"  # notebook metadata key: declared data (depends_on), stamp of the outputs


@dataclass
class BuildStats:
    """What a build did, for the progress summary and the benchmarks."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    kernels_stopped: int = 0
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


RUN_METADATA = ("papermill", "execution", "collapsed", "scrolled")  # per run or per viewer


def notebook_digest(path: Path) -> str:
    """Digest of a notebook's cells (source and metadata: tags, captions, …) and of its own
    metadata (declared data, kernel), not of its outputs nor of the stamp of its outputs."""
    nb = nbformat.read(path, as_version=4)
    h = hashlib.sha256()
    meta = {k: v for k, v in nb.metadata.items() if k not in RUN_METADATA}
    meta[STAMP_KEY] = {k: v for k, v in meta.get(STAMP_KEY, {}).items() if k != "inputs"}
    h.update(json.dumps(meta, sort_keys=True, default=str).encode())
    for c in nb.cells:
        h.update(c.cell_type.encode())
        h.update(c.source.encode())
        cell_meta = {k: v for k, v in c.metadata.items() if k not in RUN_METADATA}
        h.update(json.dumps(cell_meta, sort_keys=True, default=str).encode())
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
            c.source = "\n".join(
                ln if not ln.startswith("downloads_dir = ") else 'downloads_dir = "(build directory)"'
                for ln in c.source.splitlines()
            )
        c.metadata.pop("papermill", None)
        c.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader sees the old content or the new, never a part."""
    if not Path(path).parent.is_dir():  # the staging directory was removed (interrupted build)
        raise BuildError(f"cannot write {_shown(Path(path))}: its folder no longer exists")
    cache.write_atomic(path, text)


def _notebook_text(nb) -> str:
    """The notebook as nbformat.write saves it (ending with a newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run_notebook(src: Path, dst: Path, params: dict | None = None, timeout: float | None = None) -> None:
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
        nb = pm.execute_notebook(
            source,
            None,
            parameters=params or {},
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            timeout_func=remaining,
            resources={"metadata": {"path": str(src.parent)}},
        )
    except pm.PapermillExecutionError as exc:
        raise BuildError(f"notebook {_shown(src)} failed{where()}: {exc.ename}: {exc.evalue}") from None
    except CellTimeoutError:
        raise BuildError(
            f"notebook {_shown(src)} ran longer than its time limit of {timeout:g} s"
            f"{where()} and was stopped (raise the limit with --timeout)"
        ) from None
    except DeadKernelError:
        raise BuildError(
            f"notebook {_shown(src)}: the Python kernel died{where()} "
            f"(out of memory or killed); see .cache/kernels.log"
        ) from None
    _tidy(nb)
    write_atomic(dst, _notebook_text(nb))


def _execute(src: Path, dst: Path, params: dict, timeout: float | None = None) -> float:
    """Run one chapter notebook for the book; returns the seconds taken."""
    t0 = time.perf_counter()
    run_notebook(src, dst, params, timeout)
    return time.perf_counter() - t0


def execute_notebooks(
    notebooks: list[Path],
    out_dir: Path,
    downloads: Path,
    params: dict,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    stats: BuildStats | None = None,
    timeout: float | None = None,
    data_dir: Path | None = None,
) -> BuildStats:
    """Execute (or take from the cache) every notebook into out_dir; CSVs go to downloads.

    A cache entry is used only if every file in it matches its manifest; a damaged entry is
    discarded with a notice and the notebook executed. Ctrl-C stops the running kernels within
    seconds and re-raises KeyboardInterrupt.
    """
    from tqdm import tqdm

    stats = stats or BuildStats()
    out_dir.mkdir(parents=True, exist_ok=True)
    downloads.mkdir(parents=True, exist_ok=True)
    todo = []
    for nb in notebooks:
        key = cache_key(nb, params, inputs_digest(data_dir, families=depends_on(nb)))
        files = None if force else cache.load_entry(CACHE_DIR / key, f"the cached {nb.name}")
        if files is not None and nb.name in files:
            (out_dir / nb.name).write_bytes(files[nb.name])
            for name, payload in files.items():
                if name.startswith("downloads/"):
                    (downloads / Path(name).name).write_bytes(payload)
            stats.cached.append(nb.stem)
        else:
            todo.append((nb, key))
    if not todo:
        return stats
    # longest first (by the last measured time): the build ends when the slowest worker ends
    timings_file = CACHE_DIR / "timings.json"
    known = cache.read_json(timings_file, "the notebook timings (.cache/notebooks/timings.json)", {})
    known = {k: v for k, v in known.items() if isinstance(v, (int, float))} if isinstance(known, dict) else {}
    todo.sort(key=lambda item: -known.get(item[0].stem, 0.0))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    t0 = time.perf_counter()
    stopping = threading.Event()

    def run(nb: Path, key: str):
        if stopping.is_set():
            raise BuildError(f"notebook {_shown(nb)} not run: the build was interrupted")
        own = out_dir.parent / f".downloads-{nb.stem}"  # each notebook's CSVs, for its cache entry
        own.mkdir(parents=True, exist_ok=True)
        return nb, key, own, _execute(nb, out_dir / nb.name, {**params, "downloads_dir": str(own)}, timeout)

    errors = []
    with _kernel_messages_to(KERNEL_LOG) as terminal, _data_dir_for_kernels(data_dir):
        bar = tqdm(
            total=len(todo), desc="Executing notebooks", unit="nb", disable=not progress, file=terminal
        )
        try:
            _run_all(todo, run, jobs, bar, errors, stats, out_dir, downloads, stopping)
        finally:
            bar.close()
    stats.execute_seconds = time.perf_counter() - t0
    cache.write_json(timings_file, {**known, **stats.timings})
    if errors:
        raise BuildError("; ".join(sorted(errors)))
    return stats


@contextlib.contextmanager
def _data_dir_for_kernels(data_dir: Path | None):
    """Kernels started meanwhile read the data package from `data_dir` (they inherit the
    environment variable digest.DATA_ENV); the shipped data/ when None."""
    if data_dir is None or Path(data_dir).resolve() == digest.DATA_DIR:
        yield
        return
    saved = os.environ.get(digest.DATA_ENV)
    os.environ[digest.DATA_ENV] = str(Path(data_dir).resolve())
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(digest.DATA_ENV, None)
        else:
            os.environ[digest.DATA_ENV] = saved


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


def _run_all(todo, run, jobs, bar, errors, stats, out_dir, downloads, stopping) -> None:
    """Run the notebooks on `jobs` worker threads (daemon threads: an interrupted build does not
    wait for them at exit); store each result in the cache as it arrives."""
    tasks, results, lock = list(todo), queue.Queue(), threading.Lock()

    def worker():
        while not stopping.is_set():
            with lock:
                if not tasks:
                    return
                nb, key = tasks.pop(0)
            try:
                results.put((True, run(nb, key)))
            except BaseException as exc:  # noqa: BLE001  (handed to the main thread)
                results.put((False, exc))

    threads = [threading.Thread(target=worker, daemon=True, name=f"notebook-{i}") for i in range(jobs)]
    for t in threads:
        t.start()
    try:
        for _ in range(len(todo)):
            ok, value = results.get()
            if not ok:
                if not isinstance(value, BuildError):
                    raise value
                errors.append(str(value))
                bar.update(1)
                continue
            nb, key, own, seconds = value
            stats.executed.append(nb.stem)
            stats.timings[nb.stem] = seconds
            bar.set_postfix_str(f"{nb.stem} {seconds:.1f}s")
            bar.update(1)
            csvs = sorted(own.glob("*.csv"))
            for f in csvs:
                shutil.copy2(f, downloads / f.name)
            cache.store_entry(
                CACHE_DIR / key, {nb.name: out_dir / nb.name, **{f"downloads/{f.name}": f for f in csvs}}
            )
            shutil.rmtree(own, ignore_errors=True)
    except BaseException:  # Ctrl-C (or an unexpected failure): stop every kernel now
        stopping.set()
        stats.kernels_stopped = stop_kernels()
        deadline = time.monotonic() + 3
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        raise


def _child_processes() -> list[int]:
    """Process ids of this process's children (Linux /proc; empty elsewhere)."""
    me, out = os.getpid(), []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
                cmdline = Path(entry.path, "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me and b"ipykernel" in cmdline:
                out.append(int(entry.name))
    return out


def stop_kernels() -> int:
    """Kill the notebook kernels this process started (each leads its own process group);
    return how many."""
    pids = _child_processes()
    for pid in pids:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGKILL)
    return len(pids)


# --------------------------------------------------------------------------- book


def _die_with_parent() -> None:  # pragma: no cover  (runs in the child before exec)
    """Linux: the child gets SIGTERM when the build dies, even by SIGKILL (no orphan)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def jupyter_book_exe() -> str:
    """The environment's jupyter-book (beside this Python), else the one on PATH."""
    exe = Path(sys.executable).parent / "jupyter-book"
    return str(exe) if exe.exists() else "jupyter-book"


def book_command(src: Path, out: Path) -> list[str]:
    return [
        jupyter_book_exe(),
        "build",
        str(src),
        "--path-output",
        str(out),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]


def jupyter_book(src: Path, out: Path) -> float:
    """Build the HTML with warnings as errors; raise BuildError with Sphinx's messages.

    Jupyter Book runs in its own process group, is killed with it on Ctrl-C, and dies with the
    build if the build is killed."""
    cmd = book_command(src, out)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=src,  # _config.yml paths: from the book root
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )  # noqa: PLW1509
    try:
        stdout, stderr = proc.communicate()
    except BaseException:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode != 0:
        lines = [
            ln for ln in (stdout + stderr).splitlines() if "WARNING" in ln or "ERROR" in ln or "Error" in ln
        ]
        raise BuildError("Jupyter Book build failed:\n  " + "\n  ".join(lines[-20:] or [stderr[-2000:]]))
    return time.perf_counter() - t0


def stage_sources(stage: Path) -> None:
    for name in BOOK_FILES:
        p = ROOT / name
        if not p.exists():
            continue
        if p.is_dir():
            shutil.copytree(p, stage / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy2(p, stage / name)


def edition_config(src: Path, lang: str) -> None:
    """Turn the staged ``_config.yml`` into the edition's: Sphinx's language and the gettext
    catalogs, the title and footer in that language, and the edition switch (a small script that
    knows where the other editions are)."""
    import yaml

    from analysis import i18n

    path = src / "_config.yml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    with i18n.language(lang):
        cfg["title"] = i18n.t("book.title")
        cfg["author"] = cfg["copyright"] = i18n.t("book.author")
        cfg.setdefault("html", {})["extra_footer"] = i18n.t("book.footer")
        switch_title = i18n.t("book.switch_title")
    others = []
    for other in i18n.languages():
        if other != lang:
            with i18n.language(other):
                others.append(
                    {"lang": other, "dir": i18n.edition_dir(other), "label": i18n.t("book.edition_name")}
                )
    sphinx = cfg.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = lang
    sphinx["locale_dirs"] = ["locales/"]
    sphinx["gettext_compact"] = False
    sphinx["html_js_files"] = [*sphinx.get("html_js_files", []), "editions.js", "edition-switch.js"]
    depth = i18n.edition_dir(lang).count("/")
    editions = {"lang": lang, "up": "../" * depth, "title": switch_title, "others": others}
    static = src / "book" / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / "editions.js").write_text(
        "// Written by the build for this edition: where the other editions of the book are.\n"
        f"window.REPORT_EDITIONS = {json.dumps(editions, ensure_ascii=False)};\n",
        encoding="utf-8",
    )
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _translate_toc_captions(src, lang)


def _translate_toc_captions(src: Path, lang: str) -> None:
    """The sidebar's part captions come from ``_toc.yml``, which Sphinx's catalogs do not reach:
    the edition's ``_toc.yml`` takes them from the landing page's catalog (book/index.po), where
    ``make translations`` puts them with the rest of the prose."""
    import yaml
    from babel.messages.pofile import read_po

    po = src / "locales" / lang / "LC_MESSAGES" / "book" / "index.po"
    if not po.is_file():
        return
    with po.open("rb") as fh:
        strings = {m.id: m.string for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    toc_path = src / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        if part.get("caption") in strings:
            part["caption"] = strings[part["caption"]]
    toc_path.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _merge_into(src: Path, dst: Path) -> None:
    """Move the primary edition's files into the site folder that already holds the others."""
    for p in src.iterdir():
        os.replace(p, dst / p.name)


def write_site_data(rep, extra: Path) -> None:
    """Scorecard and forecasts as CSV beside the site (results/*.csv) for other tools."""
    from analysis import forecast

    d = extra / "results"
    d.mkdir(parents=True, exist_ok=True)
    rep.card.to_csv(d / "scorecard.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    forecast.forecast_table(rep.forecasts).to_csv(
        d / "forecasts.csv", index=False, encoding="utf-8-sig", lineterminator="\n"
    )
    forecast.paths_table(rep.forecasts).to_csv(
        d / "forecast_paths.csv", index=False, encoding="utf-8-sig", lineterminator="\n"
    )
    rep.obs.to_csv(d / "observations_used.csv", index=False, encoding="utf-8-sig", lineterminator="\n")


def edition_pages() -> list[str]:
    """The pages of one edition, from its root."""
    return ["index.html", "book/index.html", "book/caveats.html"] + [
        f"notebooks/{p.stem}.html" for p in chapter_notebooks()
    ]


def expected_pages() -> list[str]:
    """The pages of the whole site: every edition's, each in its folder."""
    from analysis import i18n

    return [i18n.edition_dir(lang) + p for lang in i18n.languages() for p in edition_pages()]


def _previous(site: Path) -> Path:
    return site.with_name(site.name + ".old")


@contextlib.contextmanager
def _no_interrupt():
    """Ctrl-C is held back (and delivered after) while the site is being swapped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def publish(new_site: Path, site: Path = SITE_DIR) -> None:
    """Replace `site` by `new_site` only if every page is there; keep the old site otherwise.

    Two renames (site -> site.old, new -> site); a kill between them is repaired by
    :func:`recover` at the next start, which puts site.old back.
    """
    missing = [p for p in expected_pages() if not (new_site / p).exists()]
    if missing:
        raise BuildError(
            f"the new site is incomplete (missing {', '.join(missing)}); the previous site is left in place"
        )
    old = _previous(site)
    with _no_interrupt():
        if old.exists():
            if site.exists():
                shutil.rmtree(old)
            else:  # a previous swap was cut short: keep the old site until the new one is in
                pass
        if site.exists():
            os.replace(site, old)
        os.replace(new_site, site)
    shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(site: Path, progress: bool = True) -> list[str]:
    """Repair what a killed build left (call with the build lock held); return what was done.

    A site caught between the two renames of the swap is restored from site.old; staging
    directories and half-written cache entries of builds that are no longer running are removed.
    """
    done = []
    old = _previous(site)
    if old.exists() and not site.exists():
        os.replace(old, site)
        done.append(f"restored the previous site {site} (a build was stopped while swapping it in)")
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)
    stale = [p for p in site.parent.glob(".staging-*") if p.is_dir()]
    for p in stale:
        pid = p.name.rsplit("-", 1)[-1]
        mine = p.name.startswith(f".staging-{site.name}-")
        if mine or (pid.isdigit() and not _pid_alive(int(pid))):
            shutil.rmtree(p, ignore_errors=True)
            done.append(f"removed {p.name}, left by a build that was killed")
    for folder in (CACHE_DIR, CACHE_DIR.parent / "reports"):  # notebook cache, report memo
        for p in folder.glob(".*.tmp") if folder.is_dir() else []:
            pid = p.name.rsplit(".", 2)[-2]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    if progress:
        for line in done:
            cache.notice(line)
    return done


@contextlib.contextmanager
def build_lock(site: Path, wait_for_it: bool = True, progress: bool = True):
    """One build at a time per site: a lock file beside it (released by the system when the
    build ends, even by SIGKILL). A second build waits, saying so, or raises BuildError."""
    import fcntl

    site.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(site.parent / f".{site.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            if not wait_for_it:
                raise BuildError(
                    f"another build (process {other}) is writing {site}; try again when it has finished"
                ) from None
            if progress:
                print(
                    f"Another build (process {other}) is writing {site}; waiting for it to finish …",
                    file=sys.stderr,
                )
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def site_key(params: dict, data_dir: Path | None = None) -> str:
    """Digest of everything the site is built from: if unchanged, the site is up to date."""
    h = hashlib.sha256()
    h.update(json.dumps(params, sort_keys=True).encode())
    h.update(inputs_digest(data_dir).encode())
    for nb in chapter_notebooks():
        h.update(notebook_digest(nb).encode())
    book = [
        ROOT / "_config.yml",
        ROOT / "_toc.yml",
        *sorted((ROOT / "book").rglob("*")),
        *sorted((ROOT / "locales").rglob("*.po")),
    ]
    h.update(_file_digest([p for p in book if p.is_file()]).encode())
    return h.hexdigest()


KEY_FILE = ".build-key"


def _up_to_date(site: Path, key: str) -> bool:
    try:
        return (site / KEY_FILE).read_text() == key and (site / "index.html").exists()
    except OSError:
        return False


def build(
    year: int | None = None,
    entity: str | None = None,
    horizon: int | None = None,
    jobs: int | None = None,
    force: bool = False,
    out: str | Path | None = None,
    progress: bool = True,
    stats: BuildStats | None = None,
    timeout: float | None = None,
    data_dir: str | Path | None = None,
    wait_for_lock: bool = True,
) -> int:
    """The whole pipeline from the data package in `data_dir` (default: data/); returns 0.

    Raises DataError or ParameterError (bad input: nothing is touched), BuildError (a step
    failed: the previous site is unchanged) or KeyboardInterrupt (kernels and Jupyter Book
    stopped, staging removed, previous site unchanged).
    """
    cfg = config.load()
    entity = entity or cfg.default_entity
    horizon = cfg.default_horizon if horizon is None else horizon
    data_dir = Path(data_dir).resolve() if data_dir else DATA_DIR
    t_start = time.perf_counter()
    stats = stats if stats is not None else BuildStats()
    site = Path(out) if out else SITE_DIR

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr)

    key = site_key({"report_year": year, "entity": entity, "horizon": horizon}, data_dir)
    if not force and _up_to_date(site, key):
        stats.total_seconds = time.perf_counter() - t_start
        say(f"{site / 'index.html'} is up to date (no notebook, data or library change).")
        return 0
    with build_lock(site, wait_for_lock, progress):
        recover(site, progress)
        if not force and _up_to_date(site, key):  # another build or the repair just made it
            stats.total_seconds = time.perf_counter() - t_start
            say(f"{site / 'index.html'} is up to date (no notebook, data or library change).")
            return 0
        return _build_locked(
            year, entity, horizon, jobs, force, site, stats, timeout, data_dir, key, t_start, say, progress
        )


def _build_locked(
    year, entity, horizon, jobs, force, site, stats, timeout, data_dir, key, t_start, say, progress
) -> int:
    from analysis import data
    from analysis.report import build_report, check_parameters

    t = time.perf_counter()
    ds = data.load(data_dir)  # DataError: bad data, the site is untouched
    year = check_parameters(ds, year, entity, horizon)  # ParameterError: the same
    params = {"report_year": year, "entity": entity, "horizon": int(horizon)}
    say(f"Data package {_shown(data_dir)}/ is valid: {ds.summary()} ({time.perf_counter() - t:.1f}s)")
    stage = site.parent / f".staging-{site.name}-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    from analysis import i18n

    languages = i18n.languages()
    html = stage / "site"
    try:
        for lang in languages:
            src = stage / f"src-{lang}"
            src.mkdir(parents=True)
            stage_sources(src)
            edition_config(src, lang)
            extra = src / "_extra"
            # computed once per edition and memoised on disk: every notebook of the edition loads
            # it instead of recomputing
            t = time.perf_counter()
            say(f"[{lang}] Computing the report (derived values, forecasts, scorecard) …")
            with i18n.language(lang):
                rep = build_report(year, entity, horizon, data_dir=data_dir, memo=True)
                write_site_data(rep, extra)
            say(
                f"  {len(rep.forecasts)} series forecast, {len(rep.card)} targets scored "
                f"({time.perf_counter() - t:.1f}s)"
            )
            execute_notebooks(
                chapter_notebooks(),
                src / "notebooks",
                extra / "downloads",
                {**params, "lang": lang},
                jobs=jobs,
                force=force,
                progress=progress,
                stats=stats,
                timeout=timeout,
                data_dir=data_dir,
            )
            say(f"[{lang}] Building the HTML with Jupyter Book …")
            out = stage / f"out-{lang}"
            stats.book_seconds += jupyter_book(src, out)
            target = html / i18n.edition_dir(lang)
            if target == html:
                os.replace(out / "_build" / "html", html) if not html.exists() else _merge_into(
                    out / "_build" / "html", html
                )
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(out / "_build" / "html", target)
        (html / KEY_FILE).write_text(key)
        publish(html, site)
    except KeyboardInterrupt:
        with _no_interrupt():
            shutil.rmtree(stage, ignore_errors=True)
        stopped = f"stopped {stats.kernels_stopped} running kernel(s), " if stats.kernels_stopped else ""
        raise KeyboardInterrupt(
            f"{stopped}removed {stage.name}; the previous site in {site} is unchanged"
        ) from None
    except BuildError as exc:
        raise BuildError(f"{exc}\nThe previous site in {site} is unchanged.") from None
    finally:
        with _no_interrupt():
            shutil.rmtree(stage, ignore_errors=True)
    stats.total_seconds = time.perf_counter() - t_start
    say(
        f"Built {site / 'index.html'} for report year {year} "
        f"({len(stats.executed)} notebook(s) executed, {len(stats.cached)} from cache, "
        f"{stats.total_seconds:.1f}s)"
    )
    return 0


# --------------------------------------------------------------------------- committed notebooks


def committed_stamp(path: Path) -> str:
    """What the committed outputs of a notebook were computed from (cells + data + library)."""
    return cache_key(path, {}, inputs_digest())


def refresh_notebooks(check: bool = False) -> int:
    """Re-execute notebooks/ in place with their default parameters, or check they are current.

    The stamp stored in each notebook's metadata records the inputs its outputs came from;
    ``check`` compares it with the current inputs and returns 1 when any notebook is stale.
    A notebook that fails raises BuildError naming it (the notebooks before it are refreshed).
    """
    stale = []
    for nb_path in chapter_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        current = committed_stamp(nb_path)
        if nb.metadata.get(STAMP_KEY, {}).get("inputs") != current:
            stale.append(nb_path)
    if check:
        if stale:
            print(
                "Committed notebook outputs are stale (run `make refresh-notebooks`): "
                + ", ".join(p.name for p in stale),
                file=sys.stderr,
            )
            return 1
        print("Committed notebook outputs are current.")
        return 0
    from tqdm import tqdm

    for nb_path in tqdm(chapter_notebooks(), desc="Refreshing notebooks", unit="nb", file=sys.stderr):
        try:
            run_notebook(nb_path, nb_path)
        except KeyboardInterrupt:
            stop_kernels()
            raise
        nb = nbformat.read(nb_path, as_version=4)
        # keep the other keys of the notebook's metadata (its declared depends_on)
        nb.metadata.setdefault(STAMP_KEY, {})["inputs"] = committed_stamp(nb_path)
        write_atomic(nb_path, _notebook_text(nb))
    return 0
