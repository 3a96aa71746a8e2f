"""The portal itself as the one who acts.

Every service takes an `actor` and checks what that actor may do. Work nobody asked for through
a page or the API (demo data, scheduled sweeps, a command an operator runs on the server) passes
SYSTEM, explicitly: it is allowed what the server's own code is allowed, and the audit trail
records "the portal" as its author. `None` is not an actor, so leaving one out can never skip a
check by accident; nothing a request carries can become SYSTEM.
"""


class SystemActor:
    is_authenticated = False
    pk = None
    full_name = ""
    email = ""

    def __str__(self) -> str:
        return "the portal"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return actor is SYSTEM


def person_of(actor):
    """The person to record in a "by" field (decided_by, updated_by...): nobody for SYSTEM."""
    return None if is_system(actor) else actor
