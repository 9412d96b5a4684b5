"""State files of the build that cannot poison a later build.

Every file is written to a temporary name and renamed into place, so a kill or a full disk leaves
the old content or none, never a part; every file carries (or is listed with) a SHA-256 of its
content that is checked on read. A damaged file is discarded with a one-line notice and rebuilt:

* :func:`write_json` / :func:`read_json` -- small state files (``timings.json``), the digest
  stored beside the data in the same file;
* :func:`store_entry` / :func:`load_entry` -- a cache entry (an executed notebook and the CSVs it
  wrote), a directory with ``MANIFEST.json`` listing each file's digest, written as a whole under
  a temporary name and renamed: an entry exists complete or not at all;
* :func:`write_verified` / :func:`read_verified` -- a binary file with its digest as a header.

Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

MANIFEST = "MANIFEST.json"


def notice(message: str) -> None:
    """One line on the terminal about something the build repaired by itself."""
    print(f"note: {message}", file=sys.stderr)


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file so that a reader sees the old content or the new, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with _quiet():
            tmp.unlink()
        raise


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_verified(path: Path, payload: bytes) -> None:
    """A binary file: a line with the payload's SHA-256, then the payload; written atomically."""
    write_atomic(path, sha256(payload).encode() + b"\n" + payload)


def read_verified(path: Path, what: str) -> bytes | None:
    """The payload of a file written by :func:`write_verified`, or None when it is missing; a file
    whose digest does not match is deleted with a notice and None is returned."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        notice(f"{what} could not be read ({exc}); it is recomputed")
        return None
    head, sep, payload = raw.partition(b"\n")
    if not sep or head.decode("ascii", "replace") != sha256(payload):
        notice(f"{what} was damaged (content does not match its digest); it is discarded and recomputed")
        with _quiet():
            path.unlink()
        return None
    return payload


def write_json(path: Path, value) -> None:
    body = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
    write_atomic(path, json.dumps({"sha256": sha256(body.encode()), "data": body}, ensure_ascii=False))


def read_json(path: Path, what: str, default):
    """The value stored by :func:`write_json`; `default` (with a notice) if missing or damaged."""
    path = Path(path)
    if not path.exists():
        return default
    try:
        return _parse_json(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        notice(f"{what} was damaged ({type(exc).__name__}); it is discarded")
        with _quiet():
            path.unlink()
        return default


def _parse_json(path: Path):
    outer = json.loads(Path(path).read_text(encoding="utf-8"))
    body = outer["data"]
    if outer["sha256"] != sha256(body.encode()):
        raise ValueError("content does not match its digest")
    return json.loads(body)


def store_entry(entry: Path, files: dict[str, Path]) -> None:
    """Store `files` (name in the entry -> file to copy) as the cache entry `entry`, atomically.

    The files are copied into a temporary directory, the manifest written last, and the directory
    renamed to `entry`. If another build stored the same entry meanwhile, that one is kept.
    """
    entry = Path(entry)
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        manifest = {}
        for name, src in sorted(files.items()):
            dst = tmp / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            payload = Path(src).read_bytes()
            dst.write_bytes(payload)
            manifest[name] = sha256(payload)
        write_json(tmp / MANIFEST, manifest)
        if entry.exists() and load_entry(entry, "entry") is not None:
            return  # another build stored the same key first, intact: keep it (same content)
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        try:
            os.replace(tmp, entry)
        except OSError:
            if not entry.exists():  # neither ours nor another build's: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_entry(entry: Path, what: str) -> dict[str, bytes] | None:
    """The files of a cache entry, each checked against the manifest; None if there is no entry.

    A damaged entry (no manifest, a file missing, changed or added) is removed with a notice and
    None returned, so that the notebook is executed again.
    """
    entry = Path(entry)
    if not entry.is_dir():
        return None
    problem = None
    files: dict[str, bytes] = {}
    manifest_file = entry / MANIFEST
    try:
        manifest = _parse_json(manifest_file)
    except (OSError, ValueError, KeyError, TypeError):
        manifest = None
    if not isinstance(manifest, dict):
        problem = "no valid manifest"
    else:
        for name, digest in manifest.items():
            try:
                payload = (entry / name).read_bytes()
            except OSError:
                problem = f"{name} is missing"
                break
            if sha256(payload) != digest:
                problem = f"{name} does not match its digest"
                break
            files[name] = payload
    if problem:
        notice(f"{what} was damaged ({problem}); it is discarded and executed again")
        shutil.rmtree(entry, ignore_errors=True)
        return None
    return files


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)
