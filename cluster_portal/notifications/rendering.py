"""E-mails built from templates: one layout, in plain text and HTML, around each kind's own words.

A kind's words are two templates, `<prefix>_subject.txt` and `<prefix>_message.txt` (plain text);
the layout adds the greeting, the button to the thing the mail is about, and the footer that says
why the person got it and how to change that. Every link is absolute, on PORTAL_BASE_URL.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from cluster_portal.core.links import portal_url

from .drafts import EmailDraft
from .kinds import NotificationKind
from .unsubscribe import DIGEST, unsubscribe_url

SUBJECT_PREFIX = "[{portal_name}] "


def email_subject(text: str) -> str:
    """The subject line of every e-mail of the portal: its name first, on one line."""
    prefix = SUBJECT_PREFIX.format(portal_name=settings.PORTAL_NAME)
    return prefix + " ".join(text.split())


def layout(*, subject: str, person_name: str, content: str, action_url: str = "",
           action_label: str = "", footer_lines: tuple[str, ...] | list[str] = ()
           ) -> tuple[str, str]:
    """The plain-text and HTML bodies of an e-mail around `content` (plain text)."""
    footer_lines = [*footer_lines,
                    f"Questions? Write to the programme office: {settings.PROGRAMME_OFFICE_EMAIL}"]
    context = {
        "subject": subject, "person_name": person_name, "content": content.strip(),
        "action_url": action_url, "action_label": action_label or "Open it in the portal",
        "footer_lines": footer_lines, "portal_name": settings.PORTAL_NAME,
        "portal_url": portal_url("/"),
    }
    return (render_to_string("notifications/email/layout.txt", context).strip() + "\n",
            render_to_string("notifications/email/layout.html", context))


def preferences_url() -> str:
    return portal_url(reverse("account_notifications"))


def _footer(kind: NotificationKind, unsubscribe: str) -> list[str]:
    lines = [f"You received this e-mail because {kind.reason}."]
    if kind.locked:
        lines.append("If you did not make this change, reset your password at "
                     f"{portal_url(reverse('account_reset_password'))} and tell the programme "
                     "office.")
    else:
        lines.append(f"To get these in a daily digest or only in the portal: {unsubscribe}")
        lines.append(f"All your notification settings: {preferences_url()}")
    return lines


def _unsubscribe_headers(url: str) -> dict:
    # RFC 8058: mail programs show an unsubscribe button that posts to this address.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def notification_email(*, kind: NotificationKind, person, message: str, url: str = "",
                       actor=None, context: dict | None = None,
                       address: str | None = None, reply_to: str = "") -> EmailDraft:
    """The e-mail of one notification to one person, from the kind's templates."""
    words = {
        "person": person, "actor": actor,
        "actor_name": (actor.full_name or actor.email) if actor is not None else "",
        "message": message, "url": portal_url(url) if url else "",
        "portal_name": settings.PORTAL_NAME, **(context or {}),
    }
    subject = email_subject(render_to_string(f"{kind.template_prefix}_subject.txt", words))
    content = render_to_string(f"{kind.template_prefix}_message.txt", words)
    unsubscribe = "" if kind.locked else unsubscribe_url(person=person, kind_key=kind.key)
    text, html = layout(
        subject=subject, person_name=person.full_name, content=content,
        action_url=portal_url(url or reverse("notifications:list")),
        action_label="Open it in the portal" if url else "See your notifications",
        footer_lines=_footer(kind, unsubscribe),
    )
    return EmailDraft(
        to=address or person.email, subject=subject, body_text=text, body_html=html,
        kind=kind.key, recipient=person, reply_to=reply_to,
        headers={} if kind.locked else _unsubscribe_headers(unsubscribe),
    )


# A digest lists at most this many notifications; the rest wait in the portal.
DIGEST_MAX_ITEMS = 50


def digest_email(*, person, notifications: list, kinds: dict[str, NotificationKind]) -> EmailDraft:
    """One e-mail with the person's notifications of the day, grouped by kind."""
    shown = notifications[:DIGEST_MAX_ITEMS]
    groups: dict[str, list] = {}
    for notification in shown:
        groups.setdefault(notification.kind, []).append(notification)
    count = len(notifications)
    subject = email_subject(f"Your daily summary: {count} update{'s' if count != 1 else ''}")
    content = render_to_string("notifications/email/digest_message.txt", {
        "groups": [(kinds[key], [(item, portal_url(item.url) if item.url else "")
                                 for item in items]) for key, items in groups.items()],
        "more": count - len(shown),
    })
    unsubscribe = unsubscribe_url(person=person, kind_key=DIGEST)
    labels = ", ".join(kinds[key].label.lower() for key in groups)
    text, html = layout(
        subject=subject, person_name=person.full_name, content=content,
        action_url=portal_url(reverse("notifications:list")),
        action_label="See your notifications",
        footer_lines=[
            f"You received this daily digest because you chose it for: {labels}.",
            f"To get these only in the portal instead: {unsubscribe}",
            f"All your notification settings: {preferences_url()}",
        ],
    )
    return EmailDraft(to=person.email, subject=subject, body_text=text, body_html=html,
                      kind=DIGEST, recipient=person, headers=_unsubscribe_headers(unsubscribe))
