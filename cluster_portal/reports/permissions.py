"""Who may ask for a report, and who may download one."""

from cluster_portal.accounts.permissions import may_act_as_admin, may_act_as_staff


def may_request_report(user, kind) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if kind.audience == "admin":
        return may_act_as_admin(user)
    if kind.audience == "partner":
        return may_act_as_staff(user) or bool(kind.may_request and kind.may_request(user))
    return may_act_as_staff(user)


def may_download_report(user, job) -> bool:
    """The file is its requester's and the programme admins' (issue: files are private)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return job.requester_id == user.pk or may_act_as_admin(user)
