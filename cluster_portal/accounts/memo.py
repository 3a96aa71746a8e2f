"""Per-request memory of what a person may do, kept on the person object.

Role questions are asked many times while one page renders; the answers are read once and kept
on the user object for the rest of the request. Access goes through attributes, never
`__dict__`: a request's user is a lazy proxy whose own `__dict__` is not the person's.
"""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def remembered(person, name: str, compute: Callable[[], T]) -> T:
    value = getattr(person, name, None)
    if value is None:
        value = compute()
        setattr(person, name, value)
    return value


def remember(person, name: str, value) -> None:
    """Keep an answer read ahead (with another one, say) for the rest of the request."""
    setattr(person, name, value)


def forget(person, *names: str) -> None:
    """Drop remembered answers after a change, so the rest of the request sees the new state."""
    for name in names:
        if hasattr(person, name):
            delattr(person, name)
