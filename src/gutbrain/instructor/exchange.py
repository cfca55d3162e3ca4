"""Release, collect and return quizzes (files, an LMS download, or nbgrader's exchange)."""
from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from .course import gradebook, hidden_lines, make_api, quiet_nbgrader, quiz_ids, release_notebooks, solution_lines
from .feedback import (clean_feedback_folder, own_submission_text, quiz_secrets, scan_folder, scan_for_leaks,
                       secrets_of)

#: The LMS file-name pattern (Blackboard-style "<assignment>_<user>_attempt_<date>_<original name>").
#: ``{quiz}`` is replaced by the quiz id. It is anchored at the start: the student id is the part
#: the LMS writes right after the assignment name, so the original file name (chosen by the
#: student, e.g. "x_alice_attempt_2099-01-01-00-00-00_quiz.ipynb") cannot name another student.
LMS_PATTERN = r"^{quiz}_(?P<student_id>.+?)_attempt_(?P<timestamp>[^_]+)_(?P<file_id>.+)$"
LMS_TIME_FORMAT = "%Y-%m-%d-%H-%M-%S"
#: letters (any script, e.g. "jörg"), digits and ._@+- ; never a path separator, space or control character
STUDENT_ID = re.compile(r"^[^\W_][\w.@+-]{0,63}\Z")
ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")
MAX_MEMBERS = 5000
MAX_FILE_BYTES = 20 * 1024 ** 2
MAX_TOTAL_BYTES = 1024 ** 3


def _check(result: dict, what: str) -> None:
    if not result.get("success"):
        raise RuntimeError(f"{what} failed:\n{result.get('log', '')}\n{result.get('error') or ''}")


def release(course_root: Path, quizzes: list[str] | None = None, exchange: bool = False, **kw) -> list[str]:
    api = make_api(course_root, **kw)
    done = []
    for quiz in quizzes or quiz_ids(Path(course_root)):
        with quiet_nbgrader():
            _check(api.generate_assignment(quiz, force=True, create=True), f"generate_assignment {quiz}")
            hidden, public = [], []
            for path in sorted((Path(course_root) / "source" / quiz).glob("*.ipynb")):
                for cell in nbformat.read(path, as_version=4).cells:
                    hidden += hidden_lines(cell.source)
                    public.append(visible_text(cell))
            secrets = secrets_of(hidden)
            for nb in sorted((Path(course_root) / "release" / quiz).glob("*.ipynb")):
                # a value that is also in a visible check (its source or the grader's inputs) is public
                leaks = scan_for_leaks(nb.read_text(encoding="utf-8"), secrets, "\n".join(public))
                if leaks:
                    raise RuntimeError(f"{nb} contains hidden-test text: {leaks[:3]}")
            if exchange:
                api.unrelease(quiz)  # re-release replaces the previous copy
                _check(api.release_assignment(quiz), f"release_assignment {quiz}")
        done.append(quiz)
    return done


@dataclass
class CollectReport:
    collected: list = field(default_factory=list)   # inbound folder names handed to nbgrader
    refused: list = field(default_factory=list)     # (inbound folder name, why)

    def lines(self) -> list[str]:
        return [f"NOT COLLECTED {name}: {why}" for name, why in self.refused]


def _owner(uid: int) -> str | None:
    import pwd
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def inbound_problem(folder: Path, quiz: str) -> str | None:
    """Why an exchange inbound folder ``<student>+<quiz>+<timestamp>[+<random>]`` must not be
    collected (None: collect it): not owned by the account it names, a symbolic link anywhere
    in it, anything that is not a regular file or folder, or a name that is not a submission's."""
    import stat as st
    from nbgrader.utils import parse_utc
    parts = folder.name.rsplit("+", 3)
    if len(parts) < 3 or parts[1] != quiz:
        return "not a submission folder name (<student>+<quiz>+<time>)"
    student = parts[0]
    try:
        parse_utc(parts[2])
    except Exception:  # noqa: BLE001 - dateutil raises several kinds
        return f"its time {parts[2][:40]!r} is not a date"
    info = folder.lstat()
    if st.S_ISLNK(info.st_mode):
        return "a symbolic link, not a folder"
    if not st.S_ISDIR(info.st_mode):
        return "not a folder"
    owner = _owner(info.st_uid)
    if owner != student:
        return f"named for {student!r} but owned by {owner or f'uid {info.st_uid}'!r}"
    for path in sorted(folder.rglob("*")):
        mode = path.lstat()
        where = path.relative_to(folder)
        if st.S_ISLNK(mode.st_mode):
            return f"{where} is a symbolic link"
        if not (st.S_ISREG(mode.st_mode) or st.S_ISDIR(mode.st_mode)):
            return f"{where} is not a regular file"
        if mode.st_uid != info.st_uid:
            return f"{where} is owned by {_owner(mode.st_uid) or f'uid {mode.st_uid}'!r}, not {student!r}"
    return None


def visible_text(cell) -> str:
    """What the release shows of a source cell: its source without hidden tests and solutions,
    and its check spec (the inputs a function item is called on are in the released metadata)."""
    from .course import BEGIN_SOLUTION, END_SOLUTION, visible_source
    text = visible_source(cell.source)
    if BEGIN_SOLUTION in text:
        text = "\n".join(line for line in text.split("\n") if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)
                         and line not in solution_lines(cell.source))
    check = (cell.get("metadata", {}).get("gutbrain") or {}).get("check")
    return text + ("\n" + json.dumps(check) if check else "")


def collect(course_root: Path, quiz: str, **kw) -> CollectReport:
    """nbgrader's collect, from a vetted copy of the exchange's inbound: a folder not owned by
    the student it names, or holding a symbolic link or a special file, is refused by name."""
    import tempfile
    api = make_api(course_root, **kw)
    course = api.coursedir.course_id
    inbound = Path(api.config.Exchange.root) / course / "inbound"
    report = CollectReport()
    if not inbound.is_dir():
        raise RuntimeError(f"collect {quiz} failed: no exchange inbound folder {inbound}")
    with tempfile.TemporaryDirectory(prefix="gutbrain-collect-") as tmp:
        vetted = Path(tmp) / course / "inbound"
        vetted.mkdir(parents=True)
        for folder in sorted(inbound.iterdir()):
            if f"+{quiz}+" not in folder.name:
                continue
            why = inbound_problem(folder, quiz)
            if why:
                report.refused.append((folder.name, why))
                continue
            shutil.copytree(folder, vetted / folder.name, symlinks=True)
            report.collected.append(folder.name)
        overrides = {"ExchangeCollect": {"check_owner": False}}
        api = make_api(course_root, overrides=overrides, **dict(kw, exchange_root=tmp, course_id=course))
        with quiet_nbgrader():
            _check(api.collect(quiz, update=True), f"collect {quiz}")
    return report


# ---------------------------------------------------------------- LMS downloads

@dataclass
class ZipCollectReport:
    collected: dict = field(default_factory=dict)   # student -> (timestamp, source name)
    skipped: list = field(default_factory=list)     # (file name, why)

    def lines(self) -> list[str]:
        out = [f"collected {s} ({ts:%Y-%m-%d %H:%M:%S} UTC) from {name}"
               for s, (ts, name) in sorted(self.collected.items())]
        out += [f"NOT COLLECTED {name}: {why}" for name, why in self.skipped]
        return out


def _members(path: Path, report: ZipCollectReport):
    """(display name, bytes) of every notebook in a download: loose files and one level of zip."""
    if path.suffix.lower() == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            report.skipped.append((path.name, f"not a readable zip ({exc})"))
            return
        with zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                report.skipped.append((path.name, f"{len(infos)} files in one archive (limit {MAX_MEMBERS})"))
                return
            total = 0
            for info in infos:
                name = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
                where = f"{path.name}:{info.filename}"
                if info.is_dir() or not name:
                    continue
                if name.lower().endswith(ARCHIVE_SUFFIXES):
                    report.skipped.append((where, "an archive inside the archive is not unpacked"))
                    continue
                if not name.endswith(".ipynb"):
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    report.skipped.append((where, f"larger than {MAX_FILE_BYTES // 1024 ** 2} MB"))
                    continue
                if total + info.file_size > MAX_TOTAL_BYTES:
                    report.skipped.append((where, "the archive unpacks to more than the size limit"))
                    continue
                try:
                    with zf.open(info) as fh:  # never trust the header's size: read at most the limit
                        data = fh.read(MAX_FILE_BYTES + 1)
                except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                    report.skipped.append((where, f"cannot be read ({exc})"))
                    continue
                if len(data) > MAX_FILE_BYTES:
                    report.skipped.append((where, f"larger than {MAX_FILE_BYTES // 1024 ** 2} MB"))
                    continue
                total += len(data)
                yield name, where, data
    elif path.name.lower().endswith(ARCHIVE_SUFFIXES):
        report.skipped.append((path.name, "only .zip downloads and .ipynb files are read"))
    elif path.suffix == ".ipynb":
        if path.stat().st_size > MAX_FILE_BYTES:
            report.skipped.append((path.name, f"larger than {MAX_FILE_BYTES // 1024 ** 2} MB"))
            return
        yield path.name, path.name, path.read_bytes()


def zip_collect(course_root: Path, quiz: str, pattern: str = LMS_PATTERN,
                time_format: str = LMS_TIME_FORMAT) -> ZipCollectReport:
    """downloaded/<quiz>/archive/ (*.zip, *.ipynb) -> submitted/<student>/<quiz>/<notebook>.ipynb.

    The newest attempt of each student wins; ``timestamp.txt`` records its time. Every file
    not collected is listed with the reason (the rest of the class is still collected).
    """
    root = Path(course_root)
    if "{quiz}" not in pattern or not pattern.startswith("^") or not pattern.endswith("$"):
        raise ValueError("the pattern must be anchored (^...$) and start with the quiz id ({quiz})")
    regexp = re.compile(pattern.replace("{quiz}", re.escape(quiz)))
    if not {"student_id", "timestamp"} <= set(regexp.groupindex):
        raise ValueError("the pattern needs the groups student_id and timestamp")
    archive = root / "downloaded" / quiz / "archive"
    if not archive.is_dir():
        raise FileNotFoundError(f"put the LMS download in {archive}/ first")
    notebooks = [p.stem for p in release_notebooks(root, quiz)] or [quiz]
    report = ZipCollectReport()
    best: dict[str, tuple[datetime, str, str, bytes]] = {}
    for path in sorted(archive.iterdir()):
        if not path.is_file():
            continue
        for name, where, data in _members(path, report):
            m = regexp.match(name)
            if m is None:
                report.skipped.append((where, "the file name does not match the LMS pattern"))
                continue
            student = m.group("student_id")
            if not STUDENT_ID.match(student):
                report.skipped.append((where, f"student id {student!r} has characters other than letters, "
                                       "digits and ._@+- (e.g. a space): collect it by hand"))
                continue
            try:
                ts = datetime.strptime(m.group("timestamp"), time_format).replace(tzinfo=timezone.utc)
            except ValueError:
                report.skipped.append((where, f"bad date {m.group('timestamp')!r} (expected {time_format})"))
                continue
            file_id = (m.groupdict().get("file_id") or "")
            target = next((nb for nb in notebooks if file_id.removesuffix(".ipynb").endswith(nb)),
                          notebooks[0] if len(notebooks) == 1 else None)
            if target is None:
                report.skipped.append((where, "cannot tell which notebook of the quiz this is"))
                continue
            key = f"{student}\0{target}"
            if key not in best or ts > best[key][0]:
                best[key] = (ts, where, target, data)
    by_student: dict[str, list] = {}
    for key, entry in best.items():
        by_student.setdefault(key.split("\0")[0], []).append(entry)
    for student, entries in sorted(by_student.items()):
        dest = root / "submitted" / student / quiz
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        newest = max(e[0] for e in entries)
        for ts, where, target, data in entries:
            (dest / f"{target}.ipynb").write_bytes(data)
        (dest / "timestamp.txt").write_text(newest.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        (dest / "collected_from.txt").write_text("lms-download\n")
        report.collected[student] = (newest, ", ".join(e[1] for e in entries))
    return report


# ---------------------------------------------------------------- feedback

def _needs_manual(root: Path, quiz: str, students: list[str]) -> dict[str, list[str]]:
    """{student: items still to grade by hand}, read in one gradebook session."""
    with quiet_nbgrader(), gradebook(root) as gb:
        return {student: sorted(g.name for nb in gb.find_submission(quiz, student).notebooks
                                for g in nb.grades if g.needs_manual_grade)
                for student in students}


def feedback(course_root: Path, quiz: str, students: list[str] | None = None, exchange: bool = False,
             allow_ungraded: bool = False, log=print, **kw) -> dict[str, list[str]]:
    """Generate feedback for every graded student; return {student: problems} (not returned).

    Held back while an item still needs grading by hand (``allow_ungraded`` returns it with a
    note saying so). A file that leaks key material is deleted (fail closed).
    """
    from .grading import GRADED, load_summary
    root = Path(course_root)
    api = make_api(root, **kw)
    secrets = quiz_secrets(root, quiz)
    public = "\n".join(c.source for p in release_notebooks(root, quiz) for c in nbformat.read(p, as_version=4).cells)
    summary = load_summary(root).get(quiz, {})
    problems: dict[str, list[str]] = {}
    graded = students or sorted(p.parent.name for p in (root / "autograded").glob(f"*/{quiz}") if p.is_dir())
    for student in graded:
        entry = summary.get(student)
        if entry is not None and entry.get("status") != GRADED:
            problems[student] = [f"not graded ({entry.get('status')}): no feedback"]
    still_to_grade = _needs_manual(root, quiz, [s for s in graded if s not in problems])
    for student in graded:
        if student in problems:
            continue
        pending = still_to_grade[student]
        if pending and not allow_ungraded:
            problems[student] = [f"held back: {', '.join(pending)} not graded by hand yet (formgrader: make instructor)"]
            continue
        with quiet_nbgrader():
            result = api.generate_feedback(quiz, student, force=True)
        folder = root / "feedback" / student / quiz
        if not result.get("success"):
            problems[student] = [f"generate_feedback failed: {(result.get('log') or '')[-300:]}"]
            shutil.rmtree(folder, ignore_errors=True)
            continue
        removed = clean_feedback_folder(folder)
        if removed:
            log(f"{student}/{quiz}: removed from feedback (not feedback): {', '.join(removed)}")
        if pending:
            for page in folder.glob("*.html"):
                note = ("<div style='border:2px solid #D55E00;padding:.5rem;margin:1rem'><strong>Not final:</strong> "
                        f"{html.escape(', '.join(pending))} will be graded by your instructor.</div>")
                page.write_text(page.read_text(encoding="utf-8").replace("<body>", "<body>" + note, 1),
                                encoding="utf-8")
        own = own_submission_text(root, student, quiz) + "\n" + public
        for name, leaks in scan_folder(folder, secrets, own).items():
            (folder / name).unlink()
            problems.setdefault(student, []).append(f"{name} contained key material ({len(leaks)} item(s)); deleted")
        if exchange and student not in problems:
            if not (folder / "submission_secret.txt").is_file():
                problems[student] = ["collected from an LMS download, not the exchange: hand back "
                                     f"{folder}/*.html yourself"]
                continue
            if not (folder / "timestamp.txt").is_file():
                problems[student] = ["no valid timestamp.txt (flagged bad-timestamp): hand back "
                                     f"{folder}/*.html yourself"]
                continue
            try:
                with quiet_nbgrader():
                    _check(api.release_feedback(quiz, student), f"release_feedback {quiz} {student}")
            except RuntimeError as exc:
                problems[student] = [str(exc)[-300:]]
    return problems


def read_text_capped(path: Path, limit: int = 4096) -> str:
    with open(path, "rb") as fh:
        return fh.read(limit).decode("utf-8", "replace")


def copy_exchange_files(src: Path, dest: Path) -> None:
    """timestamp.txt and submission_secret.txt of a submission (validated, small) for the exchange."""
    secret = src / "submission_secret.txt"
    if secret.is_file():
        text = read_text_capped(secret, 512).strip()
        if re.fullmatch(r"[0-9A-Za-z+/=_-]{1,256}", text):
            (dest / "submission_secret.txt").write_text(text)


