"""``python -m gutbrain.instructor <verb>``: the instructor's one-command steps.

verbs: release, collect, zip-collect, grade, feedback, export, report, check-keys
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .course import COURSE_ROOT, quiz_ids


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
    z = sub.add_parser("zip-collect", help="nbgrader zip_collect an LMS download")
    z.add_argument("quiz")
    z.add_argument("--regexp", default=None, help="file-name pattern (default: see the guide)")
    g = sub.add_parser("grade", help="autograde every submission, in parallel")
    g.add_argument("quiz", nargs="*")
    g.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    g.add_argument("--retries", type=int, default=2)
    g.add_argument("--timeout", type=int, default=None, help="per-cell timeout, seconds")
    g.add_argument("--serial", action="store_true", help="plain nbgrader, one at a time (reference)")
    f = sub.add_parser("feedback", help="leak-free feedback (and release it to the exchange)")
    f.add_argument("quiz", nargs="*")
    f.add_argument("--exchange", action="store_true")
    e = sub.add_parser("export", help="grades CSV, one row per student")
    e.add_argument("--out", type=Path, default=None)
    m = sub.add_parser("report", help="misconception report (HTML)")
    m.add_argument("--out", type=Path, default=None)
    sub.add_parser("check-keys", help="validate assets/quiz_misconceptions/*.yaml")
    args = p.parse_args(argv)
    root = args.course_root.resolve()

    if args.verb == "release":
        from .exchange import release
        for quiz in release(root, args.quiz or None, exchange=args.exchange):
            print(f"released {quiz}" + (" to the exchange" if args.exchange else f" in {root / 'release' / quiz}"))
    elif args.verb == "collect":
        from .exchange import collect
        collect(root, args.quiz)
        print(f"collected {args.quiz} into {root / 'submitted'}")
    elif args.verb == "zip-collect":
        from .exchange import LMS_REGEXP, zip_collect
        zip_collect(root, args.quiz, args.regexp or LMS_REGEXP)
    elif args.verb == "grade":
        from .grading import GRADED, format_summary, grade_class, summary_path
        overrides = {"Execute": {"timeout": args.timeout}} if args.timeout else None
        results = grade_class(root, args.quiz or None, jobs=args.jobs, retries=args.retries,
                              overrides=overrides, serial=args.serial)
        print(format_summary(results))
        print(f"\nsummary: {summary_path(root)}")
        return 0 if all(r.status == GRADED for r in results) else 3
    elif args.verb == "feedback":
        from .exchange import feedback
        bad = {}
        for quiz in args.quiz or quiz_ids(root):
            problems = feedback(root, quiz, exchange=args.exchange)
            bad.update({f"{s}/{quiz}": v for s, v in problems.items()})
            print(f"feedback for {quiz} in {root / 'feedback'}")
        for who, what in bad.items():
            print(f"NOT RETURNED {who}: {'; '.join(what)}", file=sys.stderr)
        return 3 if bad else 0
    elif args.verb == "export":
        from .report import export_csv
        print(f"wrote {export_csv(root, args.out)}")
    elif args.verb == "report":
        from .report import write_report
        print(f"wrote {write_report(root, args.out)} (open it in a browser)")
    elif args.verb == "check-keys":
        from .report import load_key, validate_key
        problems = []
        for quiz in quiz_ids(root):
            key = load_key(quiz)
            if key is None:
                print(f"{quiz}: no key file (its choice items will not be in the report)")
                continue
            problems += [f"{quiz}: {msg}" for msg in validate_key(root, quiz, key)]
        print("\n".join(problems) or "all keys valid")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
