"""The transition kit: a model's states and the moves between them, declared in one table.

Every decision in the portal (approve, decline, withdraw; later enrol, offer, submit, return)
is the same four steps: lock the row, check that the move is allowed from the state it is in
*now*, record who decided, when and why, and save. A model declares its moves once:

    class JoinRequest(Decision):
        ...
        MOVES = StateMachine(Status, {
            Status.PENDING: (Status.APPROVED, Status.DECLINED, Status.WITHDRAWN),
        })

and a service decides with

    join_request = lock_for_decision(JoinRequest, join_request, to=JoinRequest.Status.APPROVED)
    decide(join_request, to=JoinRequest.Status.APPROVED, actor=actor, also=["granted_role"])

A move the table does not allow is refused with a 409 that names the state and the moves that
are allowed from it, so pages, the API and the admin say the same thing; pages and the API ask
`next_states()` what to offer rather than repeating the table in `if` statements.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from .actors import person_of
from .exceptions import Conflict


class Decision(models.Model):
    """Who decided, when and why: the fields every decided row records."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def next_states(self) -> tuple[str, ...]:
        """The states this row may move to now (its model's MOVES): what pages and the API offer."""
        return type(self).MOVES.next_states(self)


@dataclass(frozen=True)
class StateMachine:
    """The states of `field` (a TextChoices) and, for each, the states it may move to. A state
    with no entry is final."""

    states: type[models.TextChoices]
    moves: Mapping[str, Iterable[str]]
    field: str = "status"

    def __post_init__(self):
        named = {state for source, targets in self.moves.items() for state in (source, *targets)}
        unknown = named - set(self.states.values)
        if unknown:
            raise ValueError(f"Not states of {self.states.__name__}: {sorted(unknown)}")

    def state_of(self, instance) -> str:
        return getattr(instance, self.field)

    def next_states(self, instance) -> tuple[str, ...]:
        return tuple(self.moves.get(self.state_of(instance), ()))

    def may_move(self, instance, to: str) -> bool:
        return to in self.next_states(instance)

    def is_final(self, instance) -> bool:
        return not self.next_states(instance)

    def label(self, state: str) -> str:
        return self.states(state).label.lower()

    def check_move(self, instance, to: str, *, subject: str = "") -> None:
        """Refuse (409) a move the table does not allow from the instance's current state."""
        if self.may_move(instance, to):
            return
        subject = subject or "This request"
        state = self.label(self.state_of(instance))
        if self.is_final(instance):
            raise Conflict(f"{subject} was already {state}.", code="already_decided")
        allowed = ", ".join(self.label(target) for target in self.next_states(instance))
        raise Conflict(f"{subject} is {state}; from there it can only be {allowed}.",
                       code="not_allowed_now")


def lock_for_decision(model: type[models.Model], instance, *, to: str, subject: str = "",
                      with_related: Iterable[str] = ()):
    """The instance's row, read afresh under a lock, with the move to `to` checked against its
    state now. Only its own row is locked (`of=("self",)`), so a caller that locks a parent
    first (an organisation, a workstream) keeps one lock order everywhere and two decisions at
    once wait for each other instead of deadlocking. `subject` names it in the refusal; by
    default the instance's `decision_subject()`, if it has one. `with_related` are read in the
    same query (and not locked)."""
    locked = model.objects.select_for_update(of=("self",)).select_related(
        *with_related).get(pk=instance.pk)
    if not subject and hasattr(locked, "decision_subject"):
        subject = locked.decision_subject()
    model.MOVES.check_move(locked, to, subject=subject)
    return locked


def apply_decision(instance, *, to: str, actor, reason: str | None = None) -> list[str]:
    """Move a locked instance to `to` and record the decision (by `actor`, now, for `reason` if
    given), without saving: for a caller that works out more from the new state first. Returns
    the fields it changed."""
    machine: StateMachine = type(instance).MOVES
    machine.check_move(instance, to)
    setattr(instance, machine.field, to)
    instance.decided_by, instance.decided_at = person_of(actor), timezone.now()
    fields = [machine.field, "decided_by", "decided_at"]
    if reason is not None:
        instance.decision_reason = reason.strip()
        fields.append("decision_reason")
    return fields


def decide(instance, *, to: str, actor, reason: str | None = None,
           also: Iterable[str] = ()) -> None:
    """`apply_decision`, then save its fields and the `also` ones the caller changed."""
    fields = apply_decision(instance, to=to, actor=actor, reason=reason)
    instance.save(update_fields=[*fields, *also])
