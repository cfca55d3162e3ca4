"""Export progress to a JSON file and import it again (the fallback when the browser's mirror
is not there, e.g. another computer or another Binder server)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gutbrain.clock import system_now
from gutbrain.progress.store import (
    ProgressError, ProgressStore, default_store, dumps, parse_store_text,
)


def export_filename(now: datetime | None = None) -> str:
    """The file name for an export made at ``now``: the learner's own calendar date."""
    return f"gut-feelings-progress-{(now or system_now()).date().isoformat()}.json"


def export_text(store: ProgressStore | None = None) -> str:
    """The store as a JSON document (the same format as the store file, schema included)."""
    return dumps((store or default_store()).load())


def import_bytes(content: bytes | str, store: ProgressStore | None = None) -> tuple[int, dict[str, Any]]:
    """Validate an exported file and merge it into the store (nothing is overwritten).

    Returns (number of attempts that were new here, merged data). Raises ProgressError with
    a message for the learner if the file is not a valid progress file; then the store is
    untouched."""
    store = store or default_store()
    incoming = parse_store_text(content)
    before = {a["id"] for a in store.load()["attempts"]}
    merged = store.merge_in(incoming)
    added = sum(1 for a in merged["attempts"] if a["id"] not in before)
    return added, merged


def import_message(content: bytes | str, filename: str = "the file",
                   store: ProgressStore | None = None) -> tuple[bool, str]:
    """(ok, message) for the import control; never raises for a bad file or a full disk."""
    try:
        added, merged = import_bytes(content, store)
    except ProgressError as err:
        return False, (f"Not imported: {filename} is not a valid Gut Feelings progress file "
                       f"({err}). Your progress is unchanged.")
    except OSError as err:
        return False, f"Not imported: your progress could not be saved ({err})."
    return True, (f"Imported {filename}: {added} new answer{'s' if added != 1 else ''} added; "
                  f"{len(merged['attempts'])} in all.")
