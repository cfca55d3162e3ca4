"""The learner's progress store: one JSON file in the user's data directory.

Where: ``$GUTBRAIN_DATA_DIR/progress.json`` if that variable is set, else
``platformdirs.user_data_dir("gut-feelings")/progress.json`` (never the repository, never a
notebook).

Format (schema version 2, see ``docs/progress.md``)::

    {"format": "gut-feelings-progress", "version": 2,
     "attempts": [{"id": "<32 hex>", "key": "<lesson>/<question id>", "answer": ...,
                   "correct": true, "at": "2026-11-22T10:00:00.000000+00:00",
                   "source": "lesson" | "review" | "migrated", "misconception": null}],
     "resets":   [{"id": "<32 hex>", "scope": "*" | "<lesson>", "at": "...", "undone": false}]}

Safety:
- every write is atomic: write a temporary file in the same folder, fsync it, then
  ``os.replace`` it over the store. A writer killed at any moment leaves either the old or
  the new file, never a mixture;
- every read-modify-write holds an exclusive ``fcntl.flock`` on ``progress.json.lock``,
  and re-reads the file under the lock, so two kernels writing at once lose nothing;
- a file that cannot be read or does not validate is renamed aside
  (``progress.corrupt-<UTC time>.json``) with a notice, and a fresh store is started.

Merging (``merge``) is a union of attempts by their unique id; an attempt is never
overwritten or edited. A reset is a recorded event (a tombstone) that removes the attempts in
its scope made before it; tombstones merge by union too, so a reset reaches every copy
(the browser's mirror included) and is not undone by the next sync.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import uuid
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

try:  # POSIX (Linux, macOS: Binder, JupyterHub, laptops)
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock, still atomic writes
    fcntl = None

import jsonschema

from gutbrain.clock import Clock, system_now

log = logging.getLogger("gutbrain.progress")

FORMAT = "gut-feelings-progress"
SCHEMA_VERSION = 2
STORE_FILE = "progress.json"
APP_NAME = "gut-feelings"
DATA_DIR_ENV = "GUTBRAIN_DATA_DIR"
#: Refuse to read store or import files larger than this (a real store is ~150 bytes/answer).
MAX_STORE_BYTES = 20_000_000
MAX_ANSWER_CHARS = 1000

_KEY_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
_ID_PATTERN = r"^[0-9a-f]{32}$"
_ANSWER = {
    "anyOf": [
        {"type": "null"}, {"type": "boolean"}, {"type": "number"},
        {"type": "string", "maxLength": MAX_ANSWER_CHARS},
        {"type": "array", "maxItems": 50,
         "items": {"anyOf": [{"type": "string", "maxLength": MAX_ANSWER_CHARS}, {"type": "number"}]}},
    ]
}

ATTEMPT_SCHEMA = {
    "type": "object",
    "required": ["id", "key", "answer", "correct", "at"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": _ID_PATTERN},
        "key": {"type": "string", "pattern": _KEY_PATTERN, "maxLength": 200},
        "answer": _ANSWER,
        "correct": {"type": "boolean"},
        "at": {"type": "string", "maxLength": 40},
        "source": {"type": "string", "maxLength": 20},
        "misconception": {"type": ["string", "null"], "maxLength": 100},
    },
}

RESET_SCHEMA = {
    "type": "object",
    "required": ["id", "scope", "at"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": _ID_PATTERN},
        "scope": {"type": "string", "pattern": r"^(\*|[A-Za-z0-9_.-]+)$", "maxLength": 100},
        "at": {"type": "string", "maxLength": 40},
        "undone": {"type": "boolean"},
    },
}

STORE_SCHEMA = {
    "type": "object",
    "required": ["format", "version", "attempts", "resets"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": SCHEMA_VERSION},
        "created": {"type": "string"},
        "attempts": {"type": "array", "items": ATTEMPT_SCHEMA},
        "resets": {"type": "array", "items": RESET_SCHEMA},
    },
}

#: The documented older shape (schema version 1, the first prototype): answers grouped by
#: question key, no attempt ids, no resets. ``migrate`` turns it into version 2.
STORE_SCHEMA_V1 = {
    "type": "object",
    "required": ["version", "answers"],
    "properties": {
        "version": {"const": 1},
        "answers": {
            "type": "object",
            "propertyNames": {"pattern": _KEY_PATTERN},
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["answer", "correct", "time"],
                    "properties": {"answer": _ANSWER, "correct": {"type": "boolean"},
                                   "time": {"type": "string"}},
                },
            },
        },
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(STORE_SCHEMA)
_VALIDATOR_V1 = jsonschema.Draft202012Validator(STORE_SCHEMA_V1)


class ProgressError(ValueError):
    """A progress file (store or import) is malformed. The message says what is wrong."""


# --------------------------------------------------------------------------- pure helpers

def utc_now() -> datetime:
    """The system clock in UTC (module-level helpers' default; a store uses its own ``clock``)."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: strings of this form sort in time order."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no timezone")
    return moment


def empty_store(now: datetime | None = None) -> dict[str, Any]:
    return {"format": FORMAT, "version": SCHEMA_VERSION, "created": iso(now or utc_now()),
            "attempts": [], "resets": []}


def json_answer(answer: Any) -> Any:
    """A graded answer as JSON: sets become sorted lists, long text is cut."""
    if isinstance(answer, (set, frozenset, tuple, list)):
        return sorted((json_answer(a) for a in answer), key=str)
    if answer is None or isinstance(answer, (bool, int, float)):
        if isinstance(answer, float) and answer != answer:  # NaN is not JSON
            return None
        return answer
    return str(answer)[:MAX_ANSWER_CHARS]


def new_attempt(key: str, answer: Any, correct: bool, *, at: datetime | None = None,
                source: str = "lesson", misconception: str | None = None) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "key": key, "answer": json_answer(answer),
            "correct": bool(correct), "at": iso(at or utc_now()), "source": source,
            "misconception": misconception}


def migrate(data: Any) -> dict[str, Any]:
    """Bring a parsed store of any known schema version up to ``SCHEMA_VERSION``.

    Raises ProgressError (with the reason) for anything that is not a valid store."""
    if not isinstance(data, dict):
        raise ProgressError("not a progress file (the top level is not a JSON object)")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ProgressError(f"written by a newer version of the course (schema {version}; this "
                            f"one reads up to {SCHEMA_VERSION}): update the course, then try again")
    if version == 1:
        data = _migrate_v1_to_v2(data)
    elif data.get("format") != FORMAT:
        raise ProgressError("not a Gut Feelings progress file (no \"format\": "
                            f"\"{FORMAT}\")")
    validate(data)
    return data


def _migrate_v1_to_v2(data: Mapping[str, Any]) -> dict[str, Any]:
    problems = sorted(_VALIDATOR_V1.iter_errors(data), key=str)
    if problems:
        raise ProgressError(f"schema 1 progress file: {_describe(problems[0])}")
    out = empty_store()
    for key, answers in data["answers"].items():
        for index, old in enumerate(answers):
            try:
                at = iso(parse_time(old["time"]))
            except ValueError as err:
                raise ProgressError(f"schema 1 progress file: {key}: bad time: {err}") from None
            answer = json_answer(old["answer"])
            # Deterministic ids: migrating the same old file twice (or in two places) and
            # merging the results does not double-count.
            seed = json.dumps([key, index, at, answer, old["correct"]], sort_keys=True)
            out["attempts"].append({
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"gut-feelings:{seed}").hex, "key": key,
                "answer": answer, "correct": old["correct"], "at": at, "source": "migrated",
                "misconception": None,
            })
    out["attempts"].sort(key=lambda a: (a["at"], a["id"]))
    return out


def _describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "top level"
    return f"{where}: {error.message[:200]}"


def validate(data: Any) -> None:
    """ProgressError unless ``data`` is a valid current-version store."""
    problems = sorted(_VALIDATOR.iter_errors(data), key=str)
    if problems:
        raise ProgressError(_describe(problems[0]))
    for kind in ("attempts", "resets"):
        for index, item in enumerate(data[kind]):
            try:
                parse_time(item["at"])
            except ValueError as err:
                raise ProgressError(f"{kind}/{index}/at: {err}") from None


def _active_resets(resets: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in resets if not r.get("undone")]


def _covered(attempt: Mapping[str, Any], resets: list[Mapping[str, Any]]) -> bool:
    lesson = attempt["key"].split("/", 1)[0]
    return any(r["scope"] in ("*", lesson) and attempt["at"] < r["at"] for r in resets)


def merge(*stores: Mapping[str, Any]) -> dict[str, Any]:
    """Union of several stores (all current version): attempts by id (the first copy of an id
    is kept, never overwritten); resets by id (``undone`` once is undone for good); then the
    attempts an active reset covers are dropped. Commutative, associative, idempotent."""
    attempts: dict[str, Mapping[str, Any]] = {}
    resets: dict[str, dict[str, Any]] = {}
    created = []
    for store in stores:
        created.append(store.get("created") or iso(utc_now()))
        for attempt in store["attempts"]:
            attempts.setdefault(attempt["id"], attempt)
        for reset in store["resets"]:
            if reset["id"] in resets:
                resets[reset["id"]]["undone"] = bool(resets[reset["id"]].get("undone") or reset.get("undone"))
            else:
                resets[reset["id"]] = dict(reset)
    active = _active_resets(resets.values())
    kept = [a for a in attempts.values() if not (active and _covered(a, active))]
    kept.sort(key=lambda a: (a["at"], a["id"]))
    return {"format": FORMAT, "version": SCHEMA_VERSION, "created": min(created) if created else iso(utc_now()),
            "attempts": kept, "resets": sorted(resets.values(), key=lambda r: (r["at"], r["id"]))}


def parse_store_text(text: str | bytes) -> dict[str, Any]:
    """Parse, migrate and validate the text of a progress file; ProgressError if malformed."""
    if isinstance(text, bytes):
        if len(text) > MAX_STORE_BYTES:
            raise ProgressError(f"the file is {len(text) / 1e6:.1f} MB; a progress file is far smaller")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ProgressError("not a progress file (not UTF-8 text)") from None
    if len(text) > MAX_STORE_BYTES:
        raise ProgressError("the file is far too large to be a progress file")
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ProgressError(f"not valid JSON ({err})") from None
    return migrate(data)


def dumps(data: Mapping[str, Any]) -> str:
    # Default arguments: json's cached C encoder, about twice as fast as custom separators.
    return json.dumps(data)


# --------------------------------------------------------------------------- the file store

def data_dir() -> Path:
    """Where progress is kept: $GUTBRAIN_DATA_DIR, else the platform's user data dir."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _stamp(now: datetime | None = None) -> str:
    return (now or utc_now()).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


_listeners: list[weakref.ref] = []
_listeners_lock = threading.Lock()


def subscribe(callback: Callable[["ProgressStore", dict[str, Any]], None]) -> None:
    """Call ``callback(store, data)`` after every change this process makes to any store.
    Bound methods are held weakly, so a widget that goes away stops listening."""
    ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda c=callback: c)
    with _listeners_lock:
        _listeners.append(ref)


def _notify(store: "ProgressStore", data: dict[str, Any]) -> None:
    with _listeners_lock:
        live = [(ref, ref()) for ref in _listeners]
        _listeners[:] = [ref for ref, fn in live if fn is not None]
    for _, fn in live:
        if fn is None:
            continue
        try:
            fn(store, data)
        except Exception:  # a listener's failure never breaks recording
            log.exception("progress listener failed")


class ProgressStore:
    """The store file in ``directory`` (default: ``data_dir()``).

    ``notices`` collects messages a learner should see (a store moved aside, a lock that
    could not be taken); widgets show them. Nothing here raises on a bad file on disk."""

    def __init__(self, directory: Path | str | None = None, *, clock: Clock | None = None):
        self.directory = Path(directory) if directory is not None else data_dir()
        self.path = self.directory / STORE_FILE
        self.lock_path = self.directory / (STORE_FILE + ".lock")
        self.clock: Clock = clock or system_now
        self.notices: list[str] = []
        self._cache: tuple[tuple[int, int, int], dict[str, Any]] | None = None
        self._thread_lock = threading.RLock()

    # ---- locking and raw I/O
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive lock across processes (flock) and threads, for read-modify-write."""
        with self._thread_lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_path, "a+b")
            try:
                if fcntl is not None:
                    try:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                    except OSError as err:  # e.g. a network filesystem without locks
                        self._notice(f"Could not lock {self.lock_path} ({err}); saving anyway.")
                yield
            finally:
                handle.close()  # closing releases the flock

    def _stat_key(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _write(self, data: dict[str, Any]) -> None:
        """Atomic replace; call with the lock held."""
        for stale in self.directory.glob(f".{STORE_FILE}.*.tmp"):
            try:  # left by a writer killed mid-write (all writers hold the lock)
                stale.unlink()
            except OSError:
                pass
        tmp = self.directory / f".{STORE_FILE}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        payload = dumps(data).encode("utf-8")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
        # The folder is not fsynced: os.replace is atomic for any process death (a killed
        # kernel), and after a power cut the folder entry can at worst still point to the
        # previous complete file. Skipping it halves the time to record an answer.
        key = self._stat_key()
        self._cache = (key, data) if key else None

    def _notice(self, message: str) -> None:
        log.warning(message)
        self.notices.append(message)

    def _move_aside(self, reason: str) -> None:
        target = self.directory / f"progress.corrupt-{_stamp(self.clock())}.json"
        try:
            os.replace(self.path, target)
        except OSError as err:
            self._notice(f"Your progress file {self.path} could not be read ({reason}) and could not be "
                         f"moved aside ({err}). Progress is kept in memory only for now; use Export.")
            raise
        self._notice(f"Your progress file could not be read ({reason}). It was kept as {target} "
                     "and a fresh progress file was started. Answers mirrored in this browser or "
                     "exported earlier are merged back in when you sync or import them.")

    def _read_unlocked(self) -> dict[str, Any]:
        """Current data (a fresh store if there is none); a bad file is moved aside."""
        key = self._stat_key()
        if key is None:
            return empty_store(self.clock())
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        try:
            size = key[2]
            if size > MAX_STORE_BYTES:
                raise ProgressError(f"{size / 1e6:.0f} MB is far too large")
            data = parse_store_text(self.path.read_bytes())
        except FileNotFoundError:
            return empty_store()
        except (OSError, ProgressError) as err:
            try:
                self._move_aside(str(err))
            except OSError:
                return empty_store()
            return empty_store()
        self._cache = (key, data)
        return data

    # ---- public API
    def load(self) -> dict[str, Any]:
        """The store's data (treat as read-only; ``copy.deepcopy`` it to modify)."""
        key = self._stat_key()
        if key is not None and self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        try:
            with self.locked():
                return self._read_unlocked()
        except OSError as err:
            self._notice(f"Could not open your progress folder {self.directory} ({err}).")
            return empty_store()

    def attempts(self) -> list[dict[str, Any]]:
        return list(self.load()["attempts"])

    def update(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Read-modify-write under the lock: ``change(current) -> new``. OSError propagates."""
        with self.locked():
            current = self._read_unlocked()
            new = change(current)
            changed = new is not current
            if changed:
                self._write(new)
        if changed:
            _notify(self, new)
        return new

    def record(self, key: str, answer: Any, correct: bool, *, at: datetime | None = None,
               source: str = "lesson", misconception: str | None = None) -> dict[str, Any]:
        """Append one graded attempt; returns it. Raises OSError if the disk refuses."""
        attempt = new_attempt(key, answer, correct, at=at or self.clock(), source=source,
                              misconception=misconception)

        def append(current):
            return {**current, "attempts": [*current["attempts"], attempt]}

        self.update(append)
        return attempt

    def merge_in(self, *others: Mapping[str, Any]) -> dict[str, Any]:
        """Merge other (valid, current-version) stores into this one; returns the result."""
        def combine(current):
            merged = merge(current, *others)
            if (len(merged["attempts"]) == len(current["attempts"])
                    and merged["resets"] == current["resets"]
                    and self._stat_key() is not None):
                return current  # nothing new: no write
            return merged

        return self.update(combine)

    def backup(self, label: str, now: datetime | None = None) -> Path:
        """Copy the current data to ``progress.backup-<time>-<label>.json``; returns the path."""
        data = self.load()
        target = self.directory / f"progress.backup-{_stamp(now or self.clock())}-{label}.json"
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".json.tmp")
        with open(tmp, "wb") as handle:
            handle.write(dumps(data).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        return target

    def reset(self, lesson: str | None = None, *, now: datetime | None = None) -> tuple[Path, str]:
        """Delete one lesson's progress (or all, ``lesson=None``), keeping a backup first.
        Returns (backup path, reset id); ``undo_reset`` brings the progress back."""
        scope = lesson or "*"
        now = now or self.clock()
        backup = self.backup("all" if lesson is None else lesson, now)
        reset_id = uuid.uuid4().hex
        tombstone = {"id": reset_id, "scope": scope, "at": iso(now), "undone": False}

        def apply(current):
            return merge(current, {"attempts": [], "resets": [tombstone], "created": current.get("created")})

        self.update(apply)
        return backup, reset_id

    def undo_reset(self, backup: Path | str, reset_id: str | None = None) -> dict[str, Any]:
        """Bring back the attempts kept in ``backup`` and mark the reset undone (``reset_id``,
        or every reset made after the backup), so that it no longer deletes them, here or
        in the browser's mirror. ProgressError if the backup is malformed."""
        old = parse_store_text(Path(backup).read_bytes())
        in_backup = {r["id"] for r in old["resets"]}

        def restore(current):
            resets = [dict(r, undone=True)
                      if (r["id"] == reset_id if reset_id else r["id"] not in in_backup) else r
                      for r in current["resets"]]
            return merge({**current, "resets": resets}, old)

        return self.update(restore)


_default: dict[Path, ProgressStore] = {}


def default_store() -> ProgressStore:
    """The store for the current data dir (re-read from the environment at each call)."""
    directory = data_dir()
    store = _default.get(directory)
    if store is None:
        store = _default[directory] = ProgressStore(directory)
    return store
