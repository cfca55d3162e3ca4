"""The order in which a choice question shows its options: shuffled per learner and per showing.

A learner who always finds the right answer in the same place learns the place, not the
answer. So every time a choice question is shown its options come in an order drawn from a
seed: ``sha256("<learner seed>|<question key>|<showing>")``. The same learner, question and
showing always give the same order (reproducible, testable); another showing or another
learner gives another order. Answers are recorded by option id, never by position, so a
recorded answer maps to the right option whatever order it was shown in.

- *learner seed*: 32 random hex digits kept in ``learner-seed.txt`` beside the progress store
  (``gutbrain.progress.store.data_dir()``), made on first use. When that folder cannot be
  written (read-only home) a seed for this kernel is used instead.
- *showing*: how many times this learner has been shown the question before, counted as
  the attempts at it in the progress store plus the showings earlier in this kernel (so
  re-running a cell, or the review notebook, shows a new order).
"""
from __future__ import annotations

import hashlib
import os
import random
import secrets
import threading
from collections import Counter
from pathlib import Path

SEED_FILE = "learner-seed.txt"
_SEED_CHARS = 32

_lock = threading.Lock()
_kernel_seed: str | None = None
_shown_here: Counter = Counter()


def _valid(seed: str) -> bool:
    return len(seed) == _SEED_CHARS and all(c in "0123456789abcdef" for c in seed)


def learner_seed(directory: Path | str | None = None) -> str:
    """This learner's seed (created on first use); a per-kernel seed if it cannot be stored."""
    global _kernel_seed
    try:
        if directory is None:
            from gutbrain.progress.store import data_dir

            directory = data_dir()
        path = Path(directory) / SEED_FILE
        try:
            seed = path.read_text(encoding="ascii").strip()
            if _valid(seed):
                return seed
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = secrets.token_hex(_SEED_CHARS // 2)
        tmp = path.with_name(f".{SEED_FILE}.{os.getpid()}.tmp")
        tmp.write_text(seed + "\n", encoding="ascii")
        os.replace(tmp, path)
        # Two kernels may race on the first use: whichever file won is the seed.
        stored = path.read_text(encoding="ascii").strip()
        return stored if _valid(stored) else seed
    except (OSError, UnicodeDecodeError):
        with _lock:
            if _kernel_seed is None:
                _kernel_seed = secrets.token_hex(_SEED_CHARS // 2)
            return _kernel_seed


def order_seed(learner: str, key: str, showing: int) -> str:
    """The seed of one showing of one question to one learner."""
    return hashlib.sha256(f"{learner}|{key}|{showing}".encode()).hexdigest()


def option_order(option_ids: list[str], seed: str) -> list[str]:
    """The option ids in the order they are shown for ``seed`` (a permutation of the ids)."""
    ids = list(option_ids)
    random.Random(int(seed, 16)).shuffle(ids)
    return ids


def _attempts_at(key: str) -> int:
    """Attempts at ``key`` in the progress store, read without side effects (a damaged store is
    left for the progress code to report when an answer is saved)."""
    try:
        import json

        from gutbrain.progress.store import MAX_STORE_BYTES, STORE_FILE, data_dir

        path = data_dir() / STORE_FILE
        if path.stat().st_size > MAX_STORE_BYTES:
            return 0
        attempts = json.loads(path.read_text(encoding="utf-8")).get("attempts", [])
        return sum(1 for a in attempts if isinstance(a, dict) and a.get("key") == key)
    except Exception:  # no store yet, or unreadable: the order only needs *a* showing number
        return 0


def next_showing(key: str) -> int:
    """The number of this showing of question ``key`` (0 for the first ever)."""
    with _lock:
        here = _shown_here[key]
        _shown_here[key] += 1
    return _attempts_at(key) + here
