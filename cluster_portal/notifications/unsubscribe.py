"""Signed links that change one notification preference without signing in: the footer of an
e-mail and its List-Unsubscribe header carry one. The signature names the person and the kind,
so the link changes nothing else, and it expires."""

import datetime

from django.core import signing
from django.urls import reverse

from cluster_portal.accounts.models import User
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.links import portal_url

SALT = "cluster_portal.notifications.unsubscribe"
LINK_VALID_FOR = datetime.timedelta(days=180)
# The kind named by a digest's link: every kind the person receives in the digest.
DIGEST = "digest"


def unsubscribe_token(*, person, kind_key: str) -> str:
    return signing.dumps({"p": person.pk, "k": kind_key}, salt=SALT, compress=True)


def unsubscribe_url(*, person, kind_key: str) -> str:
    token = unsubscribe_token(person=person, kind_key=kind_key)
    return portal_url(reverse("notifications:unsubscribe", args=[token]))


def unsubscribe_token_read(token: str) -> tuple[User, str]:
    """The person and kind a link names. A tampered, expired or foreign link is refused."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_VALID_FOR)
    except signing.SignatureExpired as error:
        raise ApplicationError(
            "This link has expired. Sign in to change your notification settings.",
            code="link_expired") from error
    except signing.BadSignature as error:
        raise ApplicationError(
            "This link is not valid. Copy the whole address from the e-mail, or sign in to "
            "change your notification settings.", code="link_invalid") from error
    person = User.objects.filter(pk=payload.get("p"), is_active=True).first()
    if person is None or not isinstance(payload.get("k"), str):
        raise ApplicationError("This link no longer works. Sign in to change your notification "
                               "settings.", code="link_invalid")
    return person, payload["k"]
