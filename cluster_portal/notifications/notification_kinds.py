"""What the notifications service itself tells people: an e-mail that could not be delivered."""

from .kinds import Audience, NotificationKind
from .models import Delivery

EMAIL_FAILED = NotificationKind(
    key="email_failed", label="An e-mail from the portal could not be delivered",
    reason="you are a programme admin, who looks after the portal's outgoing mail",
    app="notifications", group="Programme office",
    audience=Audience.PROGRAMME_ADMIN,
    # In the portal: a failing mail server would fail this e-mail too.
    default=Delivery.IN_APP,
)

ALL = (EMAIL_FAILED,)
