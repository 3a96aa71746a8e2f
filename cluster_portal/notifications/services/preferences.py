"""A person's choices of how to hear about each kind: by e-mail at once, in a daily digest, or
in the portal only. Set from the preferences page, the API, or a signed link in an e-mail."""

from django.db import transaction

from cluster_portal.audit.services import audit_record
from cluster_portal.core.exceptions import ApplicationError

from ..kinds import NotificationKind, UnknownKind, kind_get
from ..models import Delivery, Notification, NotificationPreference
from ..permissions import may_receive_kind
from ..selectors import notification_preferences_for
from ..unsubscribe import DIGEST, unsubscribe_token_read


def _kind_for(person, key: str) -> NotificationKind:
    try:
        kind = kind_get(key)
    except UnknownKind:
        kind = None
    if kind is None or not may_receive_kind(person, kind):
        raise ApplicationError(f"There is no notification kind “{key}” for you.",
                               fields={key: f"Unknown notification kind “{key}”."},
                               code="unknown_kind")
    return kind


def _checked_choices(person, choices: dict[str, str]) -> dict[NotificationKind, str]:
    """Every choice checked before any is saved, so a bad one changes nothing."""
    checked, errors = {}, {}
    for key, delivery in choices.items():
        try:
            kind = _kind_for(person, key)
        except ApplicationError as error:
            errors.update(error.fields)
            continue
        if delivery not in Delivery.values:
            errors[key] = (f"Choose {', '.join(Delivery.values)}, not “{delivery}”.")
        elif kind.locked and delivery != Delivery.IMMEDIATELY:
            errors[key] = "Security notices are always e-mailed at once; this can't be changed."
        else:
            checked[kind] = delivery
    if errors:
        raise ApplicationError("Some notification settings are not valid. Nothing was changed.",
                               fields=errors)
    return checked


@transaction.atomic
def notification_preferences_set(*, person, choices: dict[str, str]) -> int:
    """Set the person's delivery for each kind named in `choices` (kind key → delivery); kinds
    not named keep theirs. Returns how many changed."""
    checked = _checked_choices(person, choices)
    current = {row.kind.key: row.delivery for row in notification_preferences_for(person)}
    changed = {kind.key: [current[kind.key], delivery] for kind, delivery in checked.items()
               if current[kind.key] != delivery}
    for key, (_before, delivery) in changed.items():
        NotificationPreference.objects.update_or_create(
            person=person, kind=key, defaults={"delivery": delivery})
    # What waits for the digest of a kind the person now wants only in the portal stays there.
    quiet = [key for key, (_before, delivery) in changed.items() if delivery == Delivery.IN_APP]
    if quiet:
        Notification.objects.filter(recipient=person, kind__in=quiet, delivery=Delivery.DIGEST,
                                    email__isnull=True).update(delivery=Delivery.IN_APP)
    if changed:
        audit_record(actor=person, action="notification_preferences.set", target=person,
                     changes=changed)
    return len(changed)


@transaction.atomic
def notification_unsubscribe(*, token: str, delivery: str = Delivery.IN_APP):
    """What a signed link from an e-mail does, without signing in: the kind it names (or, from
    a digest, every kind the person gets in the digest) to `delivery`. Returns the person and
    the kinds changed; a bad or expired link raises and changes nothing."""
    person, key = unsubscribe_token_read(token)
    if delivery not in (Delivery.DIGEST, Delivery.IN_APP):
        raise ApplicationError("Choose a daily digest or the portal only.",
                               fields={"delivery": "Choose digest or in_app."})
    if key == DIGEST:
        if delivery == Delivery.DIGEST:
            raise ApplicationError("These already come in the daily digest.",
                                   fields={"delivery": "Choose in_app."})
        kinds = [row.kind for row in notification_preferences_for(person)
                 if row.delivery == Delivery.DIGEST]
    else:
        kinds = [_kind_for(person, key)]
        if kinds[0].locked:
            raise ApplicationError("Security notices are always sent; they can't be turned off.",
                                   code="locked")
    notification_preferences_set(person=person,
                                 choices={kind.key: delivery for kind in kinds})
    return person, kinds
