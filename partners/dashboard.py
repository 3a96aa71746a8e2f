"""The partners app's part of the programme dashboard (cluster_portal.reports.dashboard): its
pending work and its figures, each read in a fixed number of aggregate queries."""


def register() -> None:
    """Register this app's dashboard parts (called from ready())."""
