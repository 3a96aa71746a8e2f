"""The partners app's staff lists as exports too long to stream at once: each a report kind that
applies the list's own filters through the same selector (cluster_portal.reports)."""


def register() -> None:
    """Register this app's list exports (called from ready())."""
