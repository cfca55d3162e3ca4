"""One result per student and quiz: the summary file and what is printed for the instructor."""
from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .sanitise import terminal_safe

GRADED, FAILED, INVALID, UNKNOWN = "graded", "grading_failed", "invalid_notebook", "unknown_quiz"


@dataclass
class Result:
    student: str
    quiz: str
    status: str = GRADED
    score: float | None = None
    max_score: float = 0.0
    items: dict = field(default_factory=dict)      # grade_id -> score (None: by hand)
    needs_manual: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)    # grade_id -> the value that was graded
    messages: dict = field(default_factory=dict)   # grade_id -> why it scored 0
    attempts: int = 0
    seconds: float = 0.0
    error: str | None = None


def summary_path(root: Path) -> Path:
    return Path(root) / "reports" / "grading_summary.json"


def save_summary(root: Path, results: list[Result]) -> Path:
    """Merge this run's results into reports/grading_summary.json (one entry per student/quiz)."""
    path = summary_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:  # two `make grade` runs at once: merge, never overwrite
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text()) if path.is_file() else {}
        for res in results:
            data.setdefault(res.quiz, {})[res.student] = asdict(res)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        tmp.replace(path)
    return path


def load_summary(root: Path) -> dict:
    path = summary_path(root)
    return json.loads(path.read_text()) if path.is_file() else {}


def format_summary(results: list[Result]) -> str:
    lines = [f"{'student':<24} {'quiz':<24} {'status':<17} {'score':>11}  flags"]
    for r in sorted(results, key=lambda r: (r.quiz, r.student)):
        score = "-" if r.score is None else f"{r.score:g}/{r.max_score:g}"
        flags = "; ".join(f"{f['kind']} {f['cell']}" for f in r.flags)
        lines.append(f"{r.student:<24} {r.quiz:<24} {r.status:<17} {score:>11}  {flags}")
    bad = [r for r in results if r.status != GRADED]
    if bad:
        lines.append("")
        lines.append("NOT GRADED (look at these by hand):")
        lines += [f"  {r.student} / {r.quiz}: {r.status}: {r.error}" for r in bad]
    tampered = [r for r in results if any(f["kind"] != "missing-notebook" for f in r.flags)]
    if tampered:
        lines.append("")
        lines.append("FLAGGED (graded from the original locked and test cells; check by hand):")
        for r in tampered:
            for f in r.flags:
                lines.append(f"  {r.student} / {r.quiz}: {f['kind']}: {f['cell']}: {f['detail']}")
    manual = [r for r in results if r.needs_manual]
    if manual:
        lines.append("")
        lines.append(f"{len(manual)} submission(s) have items to grade by hand: `make instructor`, then "
                     "Nbgrader > Formgrader > Manual Grading > the quiz > its notebook > a submission "
                     "(docs/instructor_guide.md, step 5).")
    graded = sum(r.status == GRADED for r in results)
    lines.append("")
    lines.append(f"{len(results)} submission(s): {graded} graded, {len(bad)} not graded, "
                 f"{len(tampered)} flagged.")
    return terminal_safe("\n".join(lines))


def needs_a_look(results: list[Result]) -> bool:
    """True when the instructor must look (exit status 3): not graded, or flagged."""
    return any(r.status != GRADED or any(f["kind"] != "missing-notebook" for f in r.flags) for r in results)
