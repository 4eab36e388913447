"""Notes: what a stage tells the user besides its result, typed, so a caller picks the notes it
shows by kind and topic instead of searching their text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from planner.choices import NoteKind, NoteTopic

WARNING_PREFIX = "warning: "


@dataclass(frozen=True)
class Note:
    """One note: its kind (note or warning), its topic and its text (without a prefix).
    `str(note)` is the text as summary.json keeps it: a warning starts with `warning: `."""

    kind: NoteKind
    topic: NoteTopic
    text: str

    def __str__(self) -> str:
        return WARNING_PREFIX + self.text if self.kind == NoteKind.WARNING else self.text

    def about(self, where: str) -> Note:
        """The same note saying first what it is about (a scenario's name)."""
        return Note(self.kind, self.topic, f"{where}: {self.text}")


def note(topic: NoteTopic, text: str) -> Note:
    return Note(NoteKind.NOTE, topic, text)


def warning(topic: NoteTopic, text: str) -> Note:
    return Note(NoteKind.WARNING, topic, text)


def from_texts(topic: NoteTopic, texts: Iterable[str]) -> tuple[Note, ...]:
    """Notes from a stage that returns text lines (the history, the forecast and the roster
    search write a warning as `warning: ...`): the one place such a line is read."""
    return tuple(
        warning(topic, t.removeprefix(WARNING_PREFIX))
        if t.startswith(WARNING_PREFIX)
        else note(topic, t)
        for t in texts
    )
