"""A throwaway PostgreSQL cluster for the gradebook tests (Debian's ``postgresql`` package).

The cluster lives in a fresh temporary folder, listens only on a unix socket there (no TCP port,
so nothing else on the machine, and no sandboxed student kernel, can reach it) and runs as an
unprivileged user: as root, the ``gutbrain-pg`` system user made by ``tools/ensure_postgres.sh``
(PostgreSQL refuses to run as root); otherwise the user running the tests.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

PG_USER = "gutbrain-pg"
PORT = 5432  # only names the socket file (.s.PGSQL.5432) inside the cluster's own folder


class NoPostgres(RuntimeError):
    """PostgreSQL cannot be started here (the message says why)."""


def pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise NoPostgres("no initdb: run `bash tools/ensure_postgres.sh` (as root) or install Debian's postgresql")


def _as_user() -> tuple[list[str], pwd.struct_passwd | None]:
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam(PG_USER)
    except KeyError:
        raise NoPostgres(f"no user {PG_USER!r} to run PostgreSQL as: run `bash tools/ensure_postgres.sh`") from None
    return ["runuser", "-u", PG_USER, "--"], user


class Cluster:
    def __init__(self, folder: Path):
        self.folder = folder
        self.socket_dir = folder / "socket"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://gutbrain@/{database}?host={self.socket_dir}&port={PORT}"

    def create_database(self, name: str) -> str:
        """A new, empty database in the cluster; returns its SQLAlchemy URL."""
        import psycopg2
        con = psycopg2.connect(dbname="postgres", user="gutbrain", host=str(self.socket_dir), port=PORT)
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            con.close()
        return self.url(name)


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """initdb + pg_ctl start in a temporary folder; stopped and deleted afterwards."""
    bindir = pg_bindir()
    prefix, user = _as_user()
    folder = Path(tempfile.mkdtemp(prefix="gutbrain-pg-"))
    cluster = Cluster(folder)
    data = folder / "data"
    cluster.socket_dir.mkdir()
    if user is not None:
        for path in (folder, cluster.socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    run = lambda *args: subprocess.run([*prefix, *args], capture_output=True, text=True, cwd=folder)  # noqa: E731
    try:
        done = run(str(bindir / "initdb"), "-D", str(data), "-U", "gutbrain", "-A", "trust", "-E", "UTF8",
                   "--no-sync", "--locale=C.UTF-8")
        if done.returncode:
            raise NoPostgres(f"initdb failed: {done.stderr[-500:]}")
        options = (f"-c listen_addresses='' -k {cluster.socket_dir} -p {PORT} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        done = run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
                   "-w", "-t", "60", "start")
        if done.returncode:
            log = (folder / "server.log").read_text(errors="replace")[-800:] if (folder / "server.log").exists() else ""
            raise NoPostgres(f"pg_ctl start failed: {done.stderr[-300:]} {log}")
        try:
            yield cluster
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
