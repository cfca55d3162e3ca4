"""Which database holds the gradebook: one setting, ``GUTBRAIN_GRADEBOOK_URL``.

Unset, the gradebook is the SQLite file ``quizzes/gradebook.db`` (one instructor, one machine).
For a class with several graders (or a JupyterHub), point it at PostgreSQL::

    export GUTBRAIN_GRADEBOOK_URL='postgresql+psycopg2://grader:secret@db.example.org/gutfeelings'

``nbgrader_config.py`` and every instructor verb read it, so ``make grade``, formgrader and
``make export`` all see the same gradebook. ``copy_gradebook`` moves an existing SQLite gradebook
into PostgreSQL (``make gradebook-migrate``) and proves that every row arrived.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV = "GUTBRAIN_GRADEBOOK_URL"
SUPPORTED = ("sqlite:///", "postgresql+psycopg2://")
#: SQLAlchemy 2 reads a bare ``postgresql://`` as psycopg 3, which the course does not install.
_PSYCOPG2_ALIASES = ("postgresql://", "postgres://")


class GradebookURLError(ValueError):
    """The gradebook setting names a database the course cannot use."""


def sqlite_url(course_root: Path) -> str:
    return "sqlite:///" + str(Path(course_root).resolve() / "gradebook.db")


def normalise_url(url: str) -> str:
    """``url`` with a bare PostgreSQL scheme made explicit (psycopg2); unsupported ones refused."""
    url = url.strip()
    for alias in _PSYCOPG2_ALIASES:
        if url.startswith(alias):
            url = "postgresql+psycopg2://" + url[len(alias):]
    if not url.startswith(SUPPORTED):
        scheme = url.split("://", 1)[0] if "://" in url else url[:20]
        raise GradebookURLError(
            f"{ENV} must start with sqlite:/// or postgresql+psycopg2:// (got {scheme!r}): see "
            "docs/instructor_guide.md, 'A class on PostgreSQL'")
    return url


def gradebook_url(course_root: Path, environ: Mapping[str, str] | None = None) -> str:
    """The gradebook for ``course_root``: ``$GUTBRAIN_GRADEBOOK_URL`` if set, else its SQLite file."""
    env = os.environ if environ is None else environ
    url = env.get(ENV, "").strip()
    return normalise_url(url) if url else sqlite_url(course_root)


def redacted(url: str) -> str:
    """``url`` with its password replaced by ``***`` (safe to print in a message)."""
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


# ---------------------------------------------------------------- SQLite -> PostgreSQL

def _table_rows(conn, table) -> list[tuple]:
    from sqlalchemy import select
    key = list(table.primary_key.columns) or list(table.columns)
    return [tuple(r) for r in conn.execute(select(table).order_by(*key))]


def copy_gradebook(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row of nbgrader's gradebook at ``source_url`` into an empty database at ``target_url``.

    The target gets the schema nbgrader would create (tables and alembic version); the copy runs
    in one transaction and is compared table by table afterwards. The source is only read.
    Returns {table: rows}. Refuses (nothing written) if the target already holds a gradebook
    with data, or if the source's schema is not the one this nbgrader writes.
    """
    from nbgrader.api import Base, get_alembic_version
    from sqlalchemy import create_engine, func, inspect, select, text

    source_url, target_url = normalise_url(source_url), normalise_url(target_url)
    if source_url == target_url:
        raise GradebookURLError("the source and the target gradebook are the same database")
    if source_url.startswith("sqlite:///") and not Path(source_url[len("sqlite:///"):]).is_file():
        raise FileNotFoundError(f"no gradebook at {source_url}")
    src, dst = create_engine(source_url), create_engine(target_url)
    tables = Base.metadata.sorted_tables  # parents before children
    version = get_alembic_version()
    try:
        with src.connect() as inp:
            found = inp.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if found != version:
                raise GradebookURLError(f"the gradebook at {source_url} has schema version {found}, not {version}: "
                                        "run `nbgrader db upgrade` first; nothing copied")
        with dst.begin() as out:
            existing = set(inspect(out).get_table_names())
            busy = {t.name: n for t in tables if t.name in existing
                    and (n := out.execute(select(func.count()).select_from(t)).scalar())}
            if busy:
                raise GradebookURLError(f"the target gradebook {redacted(target_url)} is not empty "
                                        f"({', '.join(f'{k}: {v}' for k, v in sorted(busy.items()))}); "
                                        "nothing copied")
            Base.metadata.create_all(bind=out)
            if "alembic_version" not in existing:
                out.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            out.execute(text("DELETE FROM alembic_version"))
            out.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
            counts = {}
            with src.connect() as inp:
                for table in tables:
                    rows = [dict(r._mapping) for r in inp.execute(select(table))]
                    if rows:
                        out.execute(table.insert(), rows)
                    counts[table.name] = len(rows)
        with src.connect() as a, dst.connect() as b:
            for table in tables:
                if _table_rows(a, table) != _table_rows(b, table):
                    raise RuntimeError(f"table {table.name} differs after the copy: keep using {source_url}")
    finally:
        src.dispose()
        dst.dispose()
    return counts
