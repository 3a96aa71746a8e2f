"""What the upper apps contribute to pages of the platform, without the platform importing them
(docs/architecture.md): an app registers its part in its AppConfig.ready(), with a template and
a `read` that answers the template's context for one person (and, on an object's page, that
object), in a fixed number of queries, or None when it has nothing to show."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Contribution:
    key: str
    # Rendered with what `read` answered in its context, under the name the page gives it.
    template: str
    read: Callable[..., dict | None]
    # Lower first.
    order: int = 100


class Contributions:
    """One page's contributions, by key (registering one again replaces it)."""

    def __init__(self):
        self._by_key: dict[str, Contribution] = {}

    def register(self, *contributions: Contribution) -> None:
        for contribution in contributions:
            self._by_key[contribution.key] = contribution

    def unregister(self, key: str) -> None:
        """Take one away again (a test's own contribution, when the test ends)."""
        self._by_key.pop(key, None)

    def shown_to(self, *subject) -> list[dict]:
        """Each part's answer for `subject` (the person asking; on an object's page, the person
        and the object), in order, leaving out those with nothing to show."""
        shown = []
        for part in sorted(self._by_key.values(), key=lambda part: (part.order, part.key)):
            context = part.read(*subject)
            if context is not None:
                shown.append({"key": part.key, "template": part.template, "context": context})
        return shown
