"""The course root, nbgrader's configuration and the few helpers every instructor verb shares.

nbgrader is the gradebook, release/collect/exchange, formgrader and feedback tool: every verb
builds an ``NbGraderAPI`` from the repository's ``nbgrader_config.py`` (``tools/build_quizzes.py``
uses it too). Student code is run by ``grading.py`` in a sandbox, never by nbgrader.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import warnings
from pathlib import Path
from typing import Iterator

from gutbrain.data import REPO_ROOT as REPO, assets_dir

from .gradebook_db import gradebook_url

COURSE_ROOT = REPO / "quizzes"
KEYS_DIR = assets_dir() / "quiz_misconceptions"

#: the exact marker lines nbgrader uses (ClearSolutions / ClearHiddenTests defaults)
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"


#: nbgrader stamps a new gradebook with its schema's alembic head, which it learns by running the
#: ``alembic heads`` command: a Python start-up that loads every migration, 2.4 s of CPU for every new
#: gradebook. The head of the pinned nbgrader is known (tests/test_gradebook_schema.py asks alembic);
#: another nbgrader version asks alembic as before.
KNOWN_ALEMBIC_HEADS = {"0.9.6": "e43177bfe90b"}


def ensure_tool_path() -> None:
    """nbgrader runs ``alembic`` (to create a gradebook) from PATH: put this venv's bin/ first."""
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def use_known_alembic_head() -> None:
    """For a known nbgrader, new gradebooks are stamped without running ``alembic`` (KNOWN_ALEMBIC_HEADS)."""
    import nbgrader
    import nbgrader.api

    head = KNOWN_ALEMBIC_HEADS.get(nbgrader.__version__)
    if head is None or getattr(nbgrader.api.get_alembic_version, "known_head", None) == head:
        return

    def known_alembic_head() -> str:
        return head

    known_alembic_head.known_head = head
    nbgrader.api.get_alembic_version = known_alembic_head


@contextlib.contextmanager
def quiet_nbgrader() -> Iterator[None]:
    """nbgrader 0.9 triggers SQLAlchemy 2 and traitlets warnings that are not ours to fix."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def load_config(course_root: Path | None = None, overrides: dict | None = None,
                exchange_root: str | Path | None = None, course_id: str | None = None):
    """The repository's nbgrader config, pointed at ``course_root``, plus our preprocessors."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    root = Path(course_root or COURSE_ROOT).resolve()
    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config())
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = gradebook_url(root)
    if exchange_root is not None:
        config.Exchange.root = str(exchange_root)
    if course_id is not None:
        config.CourseDirectory.course_id = course_id
    use_safe_preprocessors(config, root)
    if overrides:
        config.merge(Config(overrides))
    return config


def use_safe_preprocessors(config, root: Path) -> None:
    """nbgrader's autograde refuses (grading is `make grade`); feedback is exported sanitised.

    nbgrader_config.py calls this too, so formgrader's buttons behave the same way."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from .feedback_page import FeedbackHTMLExporter
    from .guard import RefuseAutograde, RemoveRubric

    config.Autograde.autograde_preprocessors = [RefuseAutograde]
    config.GenerateFeedback.preprocessors = [RemoveRubric, GetGrades, CSSHTMLHeaderPreprocessor]
    config.GenerateFeedback.exporter_class = FeedbackHTMLExporter
    config.HTMLExporter.sanitize_html = True


def make_api(course_root: Path | None = None, overrides: dict | None = None, **kwargs):
    """An ``NbGraderAPI`` for ``course_root`` configured as :func:`load_config` says."""
    ensure_tool_path()
    use_known_alembic_head()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(course_root, overrides, **kwargs)
    with quiet_nbgrader():
        coursedir = CourseDirectory(config=config)
        return NbGraderAPI(coursedir=coursedir, config=config)


def db_url(course_root: Path) -> str:
    """The gradebook's database: ``$GUTBRAIN_GRADEBOOK_URL`` or ``<course_root>/gradebook.db``."""
    return gradebook_url(course_root)


def quiz_ids(course_root: Path) -> list[str]:
    source = Path(course_root) / "source"
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))


def source_notebooks(course_root: Path, quiz: str) -> list[Path]:
    return sorted((Path(course_root) / "source" / quiz).glob("*.ipynb"))


def release_notebooks(course_root: Path, quiz: str) -> list[Path]:
    return sorted((Path(course_root) / "release" / quiz).glob("*.ipynb"))


def sha256_tree(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (to prove nothing was changed)."""
    folder = Path(folder)
    out: dict[str, str] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def split_hidden(source: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The cell's lines and the (start, end) line ranges (inclusive, 0-based) of hidden tests."""
    lines = source.split("\n")
    blocks, start = [], None
    for i, line in enumerate(lines):
        text = line.strip()
        if text == BEGIN_HIDDEN and start is None:
            start = i
        elif text == END_HIDDEN and start is not None:
            blocks.append((start, i))
            start = None
    if start is not None:  # unterminated: treat the rest as hidden
        blocks.append((start, len(lines) - 1))
    return lines, blocks


def visible_source(source: str) -> str:
    lines, blocks = split_hidden(source)
    hidden = {i for a, b in blocks for i in range(a, b + 1)}
    return "\n".join(line for i, line in enumerate(lines) if i not in hidden)


def hidden_lines(source: str) -> list[str]:
    lines, blocks = split_hidden(source)
    return [lines[i] for a, b in blocks for i in range(a + 1, b)]


def solution_lines(source: str) -> list[str]:
    out, inside = [], False
    for line in source.split("\n"):
        text = line.strip()
        if text == BEGIN_SOLUTION:
            inside = True
        elif text == END_SOLUTION:
            inside = False
        elif inside:
            out.append(line)
    return out


def course_id() -> str:
    return os.environ.get("GUTBRAIN_COURSE_ID", "gut-feelings")


def gradebook(course_root: Path):
    """nbgrader's Gradebook (SQLite file or PostgreSQL: :func:`db_url`), for this course id."""
    from nbgrader.api import Gradebook
    ensure_tool_path()
    use_known_alembic_head()
    return Gradebook(db_url(course_root), course_id())
