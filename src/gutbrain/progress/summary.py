"""Per-lesson progress for the course map, and what to do next. Pure given its inputs;
``course_questions`` reads the question banks of the lessons present."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping, Sequence

from gutbrain.data import assets_dir
from gutbrain.progress.scheduler import CardState, card_states

REVIEW_NOTEBOOK = "99_review.ipynb"


@dataclass(frozen=True)
class LessonProgress:
    slug: str
    number: int
    title: str
    questions: int
    attempted: int
    first_try_correct: int
    mastered: int
    due: int

    @property
    def path(self) -> str:
        return f"{self.slug}.ipynb"

    @property
    def complete(self) -> bool:
        """Every question mastered (a lesson without questions is never 'to do')."""
        return self.mastered >= self.questions


def course_questions(course: Sequence) -> dict[str, list[str]]:
    """Question keys of each lesson that has a bank (assets/questions/<slug>.yaml), in order."""
    from gutbrain.selfcheck.bank import load_bank

    out: dict[str, list[str]] = {}
    for lesson in course:
        if (assets_dir() / "questions" / f"{lesson.slug}.yaml").is_file():
            out[lesson.slug] = [q.key for q in load_bank(lesson.slug).values()]
    return out


def course_progress(course: Sequence, questions: Mapping[str, Sequence[str]],
                    attempts: Iterable[Mapping], now: datetime) -> list[LessonProgress]:
    """One row per lesson that has questions, in course order."""
    all_keys = [k for keys in questions.values() for k in keys]
    states = card_states(attempts, now, all_keys)
    rows = []
    for lesson in course:
        keys = questions.get(lesson.slug)
        if not keys:
            continue
        cards: list[CardState] = [states[k] for k in keys]
        rows.append(LessonProgress(
            slug=lesson.slug, number=lesson.number, title=lesson.title, questions=len(keys),
            attempted=sum(c.seen for c in cards),
            first_try_correct=sum(c.first_try_correct for c in cards),
            mastered=sum(c.mastered for c in cards),
            due=sum(c.is_due(now) for c in cards),
        ))
    return rows


@dataclass(frozen=True)
class NextStep:
    text: str  # one or two plain sentences
    links: tuple[tuple[str, str], ...]  # (label, notebook path)


def next_step(rows: Sequence[LessonProgress]) -> NextStep:
    """Review due questions first; otherwise the first lesson not started or not mastered."""
    parts, links = [], []
    due = sum(r.due for r in rows)
    if due:
        parts.append(f"{due} question{'s are' if due != 1 else ' is'} due for review today: "
                     "open the review notebook.")
        links.append(("Review", REVIEW_NOTEBOOK))
    unstarted = next((r for r in rows if r.attempted < r.questions), None)
    unmastered = next((r for r in rows if not r.complete), None)
    if unstarted is not None:
        verb = "Start" if unstarted.attempted == 0 else "Finish"
        parts.append(f"{verb} lesson {unstarted.number}, “{unstarted.title}” "
                     f"({unstarted.attempted} of {unstarted.questions} self-checks answered).")
        links.append((f"Lesson {unstarted.number}", unstarted.path))
    elif unmastered is not None:
        parts.append(f"Every self-check is answered. Lesson {unmastered.number}, “{unmastered.title}”, "
                     f"is not mastered yet ({unmastered.mastered} of {unmastered.questions}): "
                     "come back to the review notebook on the days it says.")
        if not due:
            links.append(("Review", REVIEW_NOTEBOOK))
    elif rows:
        parts.append("Every self-check in the course is mastered. Well done!")
    else:
        parts.append("No lesson has self-checks yet.")
    return NextStep(" ".join(parts), tuple(links))
