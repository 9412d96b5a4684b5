"""Command line: ``python -m analysis <validate|scorecard|forecast|build|refresh-notebooks|pdf>``.

A thin layer over the same functions the notebooks call. Bad data or bad parameters exit with
status 2 and a message that says what is wrong and what is valid; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path as _Path

from analysis.digest import DATA_DIR

# Heavy modules (pandas, pandera, statsmodels) are imported inside the commands, so that an
# up-to-date `build` answers in well under a second.
DEFAULT_DATA = str(DATA_DIR)

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="validate the data package")
    v.add_argument("--data", default=DEFAULT_DATA, help="data directory (default: data/)")

    def common(sp, entity_default):
        sp.add_argument(
            "--year",
            type=_int_arg("year"),
            default=None,
            help="report year: use only data up to this year (default: latest full year)",
        )
        sp.add_argument("--entity", default=entity_default, help="entity id (see data/entities.csv)")
        sp.add_argument("--format", choices=("table", "csv", "json"), default="table")
        sp.add_argument(
            "--lang", default=None, help="language of the words (default: report.yml's first language)"
        )
        sp.add_argument("--data", default=DEFAULT_DATA, help=argparse.SUPPRESS)

    s = sub.add_parser("scorecard", help="progress toward every target for a report year")
    common(s, None)
    f = sub.add_parser("forecast", help="forecasts for every series of an entity")
    common(f, None)
    f.add_argument(
        "--horizon",
        type=_int_arg("horizon"),
        default=None,
        help="years beyond the report year (default: report.yml)",
    )

    b = sub.add_parser("build", help="execute the notebooks and build the HTML book")
    b.add_argument("--year", type=_int_arg("year"), default=None)
    b.add_argument("--entity", default=None, help="entity id (default: report.yml)")
    b.add_argument("--horizon", type=_int_arg("horizon"), default=None)
    b.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: cores)")
    b.add_argument("--force", action="store_true", help="re-execute every notebook (ignore the cache)")
    b.add_argument("--out", default=None, help="site directory (default: _build/html)")
    b.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds one notebook may run before the build fails (default: report.yml)",
    )
    b.add_argument("--data", default=DEFAULT_DATA, help="data directory (default: data/)")
    b.add_argument(
        "--no-wait",
        action="store_true",
        help="exit at once if another build is writing the same site (default: wait)",
    )

    r = sub.add_parser(
        "refresh-notebooks", help="re-execute notebooks/ in place with default parameters (committed outputs)"
    )
    r.add_argument(
        "--check",
        action="store_true",
        help="only check that the committed outputs are current; exit 1 if stale",
    )
    tr = sub.add_parser(
        "translations",
        help="extract the prose into the gettext catalogs of locales/ (keeping translations)",
    )
    tr.add_argument(
        "--status", action="store_true", help="only show what is translated; exit 1 if anything is not"
    )
    pp = sub.add_parser("pdf", help="print a built site to one PDF (cover, contents, page numbers)")
    pp.add_argument("--site", default=None, help="site directory built by `make book` (default: _build/html)")
    pp.add_argument(
        "--out",
        default=None,
        help="PDF to write for --site (default: every edition, _build/pdf/report-<language>.pdf)",
    )
    pp.add_argument("--chromium", default=None, help="Chromium executable (default: chromium on PATH)")
    pp.add_argument(
        "--keep-html", action="store_true", help="keep the joined HTML that was printed, beside the PDF"
    )
    return p


def _int_arg(name):
    def parse(text):
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, not {text!r}") from None

    return parse


def _print(df, fmt: str, title: str = "") -> None:
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        if title:
            print(title)
        print(df.to_string(index=False, na_rep="–", float_format=lambda x: f"{x:,.3g}"))


def cmd_scorecard(args) -> int:
    from analysis.report import build_report

    rep = build_report(args.year, args.entity, None, data_dir=args.data)
    card = rep.card if args.entity is None else rep.card[rep.card["entity"] == args.entity]
    if args.format == "table":
        cols = [
            "target_id",
            "entity",
            "target_value",
            "unit",
            "target_year",
            "latest_year",
            "latest_value",
            "required_cagr",
            "actual_cagr",
            "ratio",
            "p_meet",
            "status_label",
        ]
        view = card[cols].copy()
        for c in ("required_cagr", "actual_cagr", "ratio", "p_meet"):
            view[c] = (view[c].astype(float) * 100).round(1)
        view = view.rename(
            columns={
                "required_cagr": "req_cagr_%",
                "actual_cagr": "act_cagr_%",
                "ratio": "R_%",
                "p_meet": "P(meet)_%",
                "status_label": "status",
            }
        )
        _print(view, "table", f"Scorecard for {rep.year} (data as of {rep.year}; {len(card)} targets)")
        counts = card["status_label"].value_counts()
        print("\n" + "; ".join(f"{k}: {v}" for k, v in counts.items()))
    else:
        _print(card, args.format)
    return 0


def cmd_forecast(args) -> int:
    from analysis import forecast
    from analysis.report import build_report

    rep = build_report(args.year, args.entity, args.horizon, data_dir=args.data)
    fcs = [f for f in rep.forecasts if f.entity == rep.entity]
    table, paths = forecast.forecast_table(fcs), forecast.paths_table(fcs)
    if args.format == "table":
        ok = table[table["status"] == "ok"]
        _print(
            ok[["indicator", "n_obs", "first_year", "last_year", "model", "mae", "mase", "rule"]],
            "table",
            f"Forecasts for {rep.entity}, data as of {rep.year}, to {rep.year + rep.horizon}",
        )
        print()
        _print(
            paths.drop(columns=["entity"]), "table", "Point forecasts with 80% and 95% prediction intervals"
        )
        short = table[table["status"] != "ok"]
        if len(short):
            print(f"\nNot modelled ({len(short)} series):")
            for indicator, rule in zip(short["indicator"], short["rule"]):
                print(f"  {indicator}: {rule}")
    else:
        out = table.merge(paths, on=["entity", "indicator", "unit"], how="left", suffixes=("", "_path")).drop(
            columns=["model_path"]
        )
        _print(out, args.format)
    return 0


def cmd_build(args) -> int:
    from analysis import pipeline

    return pipeline.build(
        year=args.year,
        entity=args.entity,
        horizon=args.horizon,
        jobs=args.jobs,
        force=args.force,
        out=args.out,
        data_dir=args.data,
        wait_for_lock=not args.no_wait,
        **({"timeout": args.timeout} if args.timeout else {}),
    )


def cmd_refresh(args) -> int:
    from analysis import pipeline

    return pipeline.refresh_notebooks(check=args.check)


def cmd_translations(args) -> int:
    from analysis import translations

    if not args.status:
        print("Extracting the prose (Sphinx gettext) and updating locales/ (sphinx-intl) …", file=sys.stderr)
        translations.update()
    missing = 0
    for st in translations.status():
        left = st.fuzzy + st.untranslated
        missing += left
        mark = "" if not left else f"  <- {st.untranslated} untranslated, {st.fuzzy} fuzzy"
        print(f"{st.path.relative_to(translations.ROOT)}: {st.translated} translated{mark}")
    return 1 if args.status and missing else 0


def cmd_validate(args) -> int:
    from analysis import data

    ds = data.load(args.data)
    print(f"OK: {_Path(args.data).name}/ is valid — {ds.summary()}")
    return 0


def cmd_pdf(args) -> int:
    from analysis import pdf

    site = _Path(args.site) if args.site else pdf.SITE_DIR
    if args.out:  # one PDF of the site (or edition folder) given
        jobs = [(site, _Path(args.out))]
    else:  # every edition, each to its own file
        jobs = pdf.editions(site, pdf.PDF_OUT) or [(site, pdf.PDF_OUT)]
    for edition, out in jobs:
        out = pdf.build_pdf(site=edition, out=out, chromium=args.chromium, keep_html=args.keep_html)
        print(f"Wrote {out}")
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "scorecard": cmd_scorecard,
    "forecast": cmd_forecast,
    "build": cmd_build,
    "refresh-notebooks": cmd_refresh,
    "translations": cmd_translations,
    "pdf": cmd_pdf,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from analysis.errors import BuildError, DataError, ParameterError, ReportError

    try:
        if getattr(args, "lang", None) is not None or args.command in ("scorecard", "forecast"):
            from analysis import i18n

            i18n.use(getattr(args, "lang", None))
        return COMMANDS[args.command](args)
    except KeyboardInterrupt as exc:
        print(f"Interrupted: {exc}" if str(exc) else "Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except DataError as exc:
        n = len(exc.problems)
        print(f"Invalid data ({n} problem{'s' if n != 1 else ''}):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BuildError as exc:  # a failed build step, named by the library
        print(f"Build failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ReportError as exc:  # anything else the library explains (e.g. no Chromium for the PDF)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # a file the command could not read or write (disk full, no permission)
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_FAILED
