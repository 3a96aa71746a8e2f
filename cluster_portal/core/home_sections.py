"""Sections of the home page that other apps contribute (the open courses of the talent app).

The platform imports no app above it (docs/architecture.md): an app registers a `Section` in
its AppConfig.ready(), with a template and a `read` that answers the template's context in a
fixed number of queries, or None when it has nothing to show.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    template: str  # rendered with `section` (what `read` answered) in its context
    read: Callable[[object], dict | None]
    order: int = 100


_sections: dict[str, Section] = {}


def register(*sections: Section) -> None:
    for section in sections:
        _sections[section.key] = section


def sections_for(user) -> list[dict]:
    shown = []
    for section in sorted(_sections.values(), key=lambda section: (section.order, section.key)):
        context = section.read(user)
        if context is not None:
            shown.append({"key": section.key, "template": section.template, "context": context})
    return shown
