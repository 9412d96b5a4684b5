"""The one reader of the data package's CSV files.

Validation (``data.load``), the loader and the build's cache keys (``digest``) all read a file
through :func:`read_table`, so what ``validate`` accepts the build handles identically:

* UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" writes one); a file that is not
  UTF-8 but decodes as GBK is named as GBK, the encoding Chinese spreadsheet software often uses;
* header names and cells stripped of surrounding whitespace;
* no limit on the size of a field (the csv module's default is 128 KiB);
* blank lines skipped; a row with more cells than the header is an error naming the row.

Standard library only: the build's up-to-date check imports this before pandas.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from analysis.errors import DataError, Problem

# the csv module refuses fields over 128 KiB unless told otherwise (a long note is legitimate)
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def display(path: Path) -> str:
    """A path as the analyst sees it: relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (BOM dropped); DataError naming the file, line and GBK when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("gbk")
            hint = (
                "it decodes as GBK (GB2312), the encoding Chinese spreadsheet software such as "
                "Excel or WPS often uses: save it again as 'CSV UTF-8'"
            )
        except UnicodeDecodeError:
            hint = "save it again as 'CSV UTF-8'"
        raise DataError(
            [Problem(name, line, None, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); {hint}")]
        ) from None


def read_table(
    path: str | Path, allow_no_rows: bool = False, name: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of one CSV file, every cell a stripped string.

    Rows shorter than the header are padded with empty cells. Raises DataError naming the file
    (and the row, counted as a spreadsheet shows it, header = row 1) for a missing or empty file,
    a file that is not UTF-8, malformed quoting, or a row with more cells than the header.
    """
    path = Path(path)
    name = name or display(path)
    if not path.exists():
        raise DataError([Problem(name, None, None, "file not found")])
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(
            [Problem(name, None, None, "the file is empty: it needs a header row and at least one data row")]
        )
    text = decode(raw, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    try:
        for record in reader:
            if len(record) <= 1 and not "".join(record).strip():
                continue  # a blank line
            cells = [c.strip() for c in record]
            if header is None:
                header = cells
                continue
            if len(cells) > len(header):
                extra = cells[len(header) :]
                if any(extra):
                    raise DataError(
                        [
                            Problem(
                                name,
                                len(rows) + 2,
                                None,
                                f"the file is not well-formed CSV: this row has "
                                f"{len(cells)} cells, the header {len(header)}",
                            )
                        ]
                    )
                cells = cells[: len(header)]
            rows.append(cells + [""] * (len(header) - len(cells)))
    except csv.Error as exc:
        raise DataError(
            [Problem(name, reader.line_num or None, None, f"the file is not well-formed CSV ({exc})")]
        ) from None
    if header is None:
        raise DataError(
            [Problem(name, None, None, "the file is empty: it needs a header row and at least one data row")]
        )
    if not rows and not allow_no_rows:
        raise DataError([Problem(name, None, None, "the file has a header row but no data rows")])
    return header, rows


def read_records(path: str | Path, allow_no_rows: bool = True) -> list[dict[str, str]]:
    """The data rows of a CSV file as dicts keyed by the stripped header."""
    header, rows = read_table(path, allow_no_rows=allow_no_rows)
    return [dict(zip(header, r)) for r in rows]
