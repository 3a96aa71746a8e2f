"""The projects app's part of the programme's reports (cluster_portal.reports.kinds): its kinds of
report and its sheets of the programme report, read through its own selectors as the person who
asked."""


def register() -> None:
    """Register this app's report kinds and programme-report sheets (called from ready())."""
