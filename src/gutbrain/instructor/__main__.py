"""``python -m gutbrain.instructor <verb>``: the instructor's one-command steps.

verbs: release, collect, zip-collect, grade, feedback, export, report, check-keys, gradebook-migrate

Exit status: 0 all well; 2 a mistyped quiz id or a refused step (no sandbox); 3 something
needs a look (listed: not graded, flagged, not collected, feedback held back or withheld).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .course import COURSE_ROOT, quiz_ids


def _print(*parts, file=None) -> None:
    """print, without escape sequences: student ids, file names and errors come from students."""
    from .sanitise import terminal_safe
    print(*(terminal_safe(p) for p in parts), file=file or sys.stdout)


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _quizzes(root: Path, names: list[str] | None) -> list[str] | None:
    """The quiz ids asked for (None: all); exit 2 naming the known ones if one is mistyped."""
    names = [n for n in (names or []) if n]
    known = quiz_ids(root)
    bad = [n for n in names if n not in known]
    if bad:
        _print(f"no quiz called {', '.join(map(repr, bad))} in {root / 'source'}; known quizzes: "
              f"{', '.join(known) or '(none)'}", file=sys.stderr)
        raise SystemExit(2)
    return names or None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m gutbrain.instructor", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--course-root", type=Path, default=COURSE_ROOT, help="nbgrader course root (quizzes/)")
    sub = p.add_subparsers(dest="verb", required=True)
    r = sub.add_parser("release", help="build student versions (and release them to the exchange)")
    r.add_argument("quiz", nargs="*")
    r.add_argument("--exchange", action="store_true", help="also nbgrader release_assignment")
    c = sub.add_parser("collect", help="nbgrader collect from the exchange")
    c.add_argument("quiz")
    z = sub.add_parser("zip-collect", help="collect an LMS download (downloaded/<quiz>/archive/)")
    z.add_argument("quiz")
    z.add_argument("--pattern", default=None, help="anchored file-name pattern (default: see the guide)")
    z.add_argument("--time-format", default=None, help="strptime format of the timestamp group")
    g = sub.add_parser("grade", help="grade every submission, each in a sandbox, in parallel")
    g.add_argument("quiz", nargs="*")
    g.add_argument("--jobs", type=int, default=None, help="sandboxes at a time (default: all cores)")
    g.add_argument("--retries", type=int, default=0)
    g.add_argument("--timeout", type=int, default=None, help="per-cell timeout, seconds (default 60)")
    g.add_argument("--wall", type=float, default=None, help="wall-clock limit per submission, seconds")
    g.add_argument("--memory-gb", type=_positive, default=None,
                   help="memory budget per sandbox, all its processes together, GB (default 2)")
    f = sub.add_parser("feedback", help="feedback HTML (and release it to the exchange)")
    f.add_argument("quiz", nargs="*")
    f.add_argument("--exchange", action="store_true")
    f.add_argument("--allow-ungraded", action="store_true",
                   help="also return feedback whose hand-graded items are not graded yet (it says so)")
    e = sub.add_parser("export", help="grades CSV, one row per student")
    e.add_argument("quiz", nargs="*")
    e.add_argument("--out", type=Path, default=None)
    m = sub.add_parser("report", help="misconception report (HTML)")
    m.add_argument("quiz", nargs="*")
    m.add_argument("--out", type=Path, default=None)
    sub.add_parser("check-keys", help="validate assets/quiz_misconceptions/*.yaml")
    mg = sub.add_parser("gradebook-migrate", help="copy the SQLite gradebook into PostgreSQL")
    mg.add_argument("--from", dest="source", default=None, help="default: <course root>/gradebook.db")
    mg.add_argument("--to", dest="target", default=None, help="default: $GUTBRAIN_GRADEBOOK_URL")
    args = p.parse_args(argv)
    root = args.course_root.resolve()
    if hasattr(args, "quiz"):
        chosen = _quizzes(root, args.quiz if isinstance(args.quiz, list) else [args.quiz])

    if args.verb == "release":
        from .exchange import release
        for quiz in release(root, chosen, exchange=args.exchange):
            _print(f"released {quiz}" + (" to the exchange" if args.exchange else f" in {root / 'release' / quiz}"))
    elif args.verb == "collect":
        from .exchange import collect
        report = collect(root, args.quiz)
        _print(f"collected {args.quiz} into {root / 'submitted'}: {len(report.collected)} folder(s)")
        for line in report.lines():
            _print(line, file=sys.stderr)
        return 3 if report.refused else 0
    elif args.verb == "zip-collect":
        from .exchange import LMS_PATTERN, LMS_TIME_FORMAT, zip_collect
        report = zip_collect(root, args.quiz, args.pattern or LMS_PATTERN, args.time_format or LMS_TIME_FORMAT)
        _print("\n".join(report.lines()) or "nothing to collect")
        return 3 if report.skipped else 0
    elif args.verb == "grade":
        from .grading import format_summary, grade_class, needs_a_look, summary_path
        from .sandbox import SandboxUnavailable
        overrides = {"Execute": {"timeout": args.timeout}} if args.timeout else None
        try:
            results = grade_class(root, chosen, jobs=args.jobs, retries=args.retries, overrides=overrides,
                                  wall_seconds=args.wall,
                                  memory_bytes=int(args.memory_gb * 1024 ** 3) if args.memory_gb else None)
        except SandboxUnavailable as exc:
            _print(str(exc), file=sys.stderr)
            return 2
        _print(format_summary(results))
        _print(f"\nsummary: {summary_path(root)}")
        return 3 if needs_a_look(results) else 0
    elif args.verb == "feedback":
        from .exchange import feedback
        bad = {}
        for quiz in chosen or quiz_ids(root):
            problems = feedback(root, quiz, exchange=args.exchange, allow_ungraded=args.allow_ungraded)
            bad.update({f"{s}/{quiz}": v for s, v in problems.items()})
            _print(f"feedback for {quiz} in {root / 'feedback'}")
        for who, what in sorted(bad.items()):
            _print(f"NOT RETURNED {who}: {'; '.join(what)}", file=sys.stderr)
        return 3 if bad else 0
    elif args.verb == "export":
        from .report import export_csv
        _print(f"wrote {export_csv(root, args.out, chosen)}")
    elif args.verb == "report":
        from .report import write_report
        _print(f"wrote {write_report(root, args.out, chosen)} (open it in a browser)")
    elif args.verb == "gradebook-migrate":
        from .course import ensure_tool_path
        from .gradebook_db import ENV, GradebookURLError, copy_gradebook, redacted, sqlite_url
        ensure_tool_path()  # nbgrader asks `alembic` for the schema version
        target = args.target or os.environ.get(ENV, "").strip()
        if not target:
            _print(f"gradebook-migrate needs the PostgreSQL gradebook: set {ENV} (or --to URL)", file=sys.stderr)
            return 2
        try:
            counts = copy_gradebook(args.source or sqlite_url(root), target)
        except (GradebookURLError, FileNotFoundError) as exc:
            _print(str(exc), file=sys.stderr)
            return 2
        rows = ", ".join(f"{n} {t}" for t, n in counts.items() if n)
        _print(f"copied the gradebook into {redacted(target)} and checked it row by row ({rows or 'empty'}).\n"
              f"Keep {ENV} set for every instructor verb and formgrader; the SQLite file is left as it was.")
    elif args.verb == "check-keys":
        from .report import load_key, validate_key
        problems = []
        for quiz in quiz_ids(root):
            key = load_key(quiz)
            if key is None:
                _print(f"{quiz}: no key file (its choice items will not be in the report)")
                continue
            problems += [f"{quiz}: {msg}" for msg in validate_key(root, quiz, key)]
        _print("\n".join(problems) or "all keys valid")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
