"""Filters for the portal's e-mails."""

import re

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Punctuation that ends a sentence, not an address.
TRAILING = ".,;:!?)"


@register.filter
def portal_links(text: str) -> SafeString:
    """`text` escaped, with the portal's own addresses (on PORTAL_BASE_URL) made links. Nothing
    else becomes a link: names, reasons and browser strings that people typed must not turn
    into clickable addresses in a mail that speaks for the portal."""
    escaped = escape(text)
    base = re.escape(escape(settings.PORTAL_BASE_URL.rstrip("/")))

    def link(match: re.Match) -> str:
        address = match.group(0)
        stripped = address.rstrip(TRAILING)
        anchor = f'<a href="{stripped}" style="color:#0a5663;">{stripped}</a>'
        return anchor + address[len(stripped):]

    return mark_safe(re.sub(rf"{base}(?:/[^\s<>\"']*)?", link, escaped))  # noqa: S308
