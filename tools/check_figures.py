"""Can a learner read every figure of a lesson? Run it in JupyterLab + Chromium and say.

    .venv/bin/python tools/check_figures.py lessons/02_vagus_nerve.ipynb [more lessons ...]
    .venv/bin/python tools/check_figures.py --all            # every lessons/[0-9][0-9]_*.ipynb
    .venv/bin/python tools/check_figures.py --widths 900+files lessons/01_serotonin_synthesis.ipynb

Opens each lesson in a fresh JupyterLab (a temporary copy of the course, as the browser tests
do), runs Run All, and checks every plotly figure at each viewport (default: a 900 px window with
the file browser open, so the notebook is about 570 px; 900 px and 1400 px with the side panels
closed; "+files" opens the file browser): overlapping or cut-off text, title, axis titles with
units, text alternative, every widget label shown in full, tables that fit, readable text and
links (see tests/browser/legibility.py). Prints every problem and the notebook's width at each
viewport, saves a screenshot of every figure under tests/artifacts/figures/<lesson>/<n>-<viewport>.png and
a contact sheet tests/artifacts/figures/index.html. Exit status 1 when there is a problem.
Needs what the browser tests need (Chromium, Playwright): `make test` installs them.
"""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import labdriver as lab  # noqa: E402
import legibility  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="notebooks under lessons/ (paths or names)")
    parser.add_argument("--all", action="store_true", help="every lessons/[0-9][0-9]_*.ipynb")
    parser.add_argument("--widths", default=",".join(legibility.WIDTHS),
                        help="viewport widths in px, comma-separated, +files to open the file browser "
                             "(default %(default)s)")
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args(argv)
    # Stopped with SIGTERM (e.g. `kill`): unwind, so the JupyterLab server and Chromium stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    names = [p.name for p in lab.LESSONS] if args.all else [Path(p).name for p in args.lessons]
    if not names:
        parser.error("name at least one lesson, or --all")
    missing = [n for n in names if not (REPO / "lessons" / n).is_file()]
    if missing:
        parser.error(f"not in lessons/: {', '.join(missing)}")
    try:
        widths = tuple(legibility.Viewport.parse(w) for w in args.widths.split(",") if w.strip())
    except ValueError as err:
        parser.error(str(err))
    problem = lab.chromium_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory(prefix="gutbrain-figures-") as tmp, \
            lab.lab_server(Path(tmp), build_quizzes=False) as server, sync_playwright() as pw:
        context = lab.launch_chromium(pw, Path(tmp) / "profile")
        context.set_default_timeout(30_000)
        try:
            for name in names:
                page = context.new_page()
                lab.install_page_helpers(page)
                console = lab.ConsoleLog(page)
                try:
                    lab.open_notebook(page, server, f"lessons/{name}")
                    seconds = lab.run_all(page)
                    errors = lab.error_outputs(page)
                    widgets = lab.widget_problems(page)
                    result = legibility.check_page(page, Path(name).stem, widths,
                                                   screenshots=not args.no_screenshots)
                    results.append(result)
                    n_figs = len({f.index for f in result.figures})
                    n_views = len({(f.index, f.view) for f in result.figures if f.view})
                    overlaps = sum(f.overlaps for f in result.figures)
                    notebook = ", ".join(f"{result.where(v)}" for v in result.notebook_px)
                    print(f"{name}: Run All {seconds:.1f} s; {n_figs} figures x {len(widths)} viewports "
                          f"[{notebook}] + {n_views} other views of interactive figures; "
                          f"{overlaps} overlapping text pairs; {len(result.problems)} problems", flush=True)
                    for err in errors:
                        print(f"  ERROR OUTPUT: {err[:300]}")
                    for w in widgets:
                        print(f"  WIDGET NOT SHOWN: {w[:200]}")
                    for p in result.problems:
                        print(f"  - {p}")
                except Exception as err:
                    shots = lab.save_artifacts(page, console, f"check_figures--{Path(name).stem}", server)
                    print(f"{name}: could not be checked: {type(err).__name__}: {err}\n  artefacts: "
                          + ", ".join(map(str, shots)), file=sys.stderr)
                    results.append(None)
                finally:
                    page.close()
                    lab.shutdown_kernels(server)
        finally:
            context.close()
    done = [r for r in results if r is not None]
    if done and not args.no_screenshots:
        print(f"Screenshots and contact sheet: {legibility.write_index(done).relative_to(REPO)}")
    return 1 if (None in results or any(r.problems for r in done)) else 0


if __name__ == "__main__":
    sys.exit(main())
