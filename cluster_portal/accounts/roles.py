"""The programme-wide roles. They are data (auth groups); this module only names them.

Organisation roles (partner admin, partner member) live in the partners app.
"""

from enum import StrEnum


class ProgrammeRole(StrEnum):
    STAFF = "programme_staff"
    ADMIN = "programme_admin"

    @property
    def group_name(self) -> str:
        return PROGRAMME_ROLE_GROUPS[self]


PROGRAMME_ROLE_GROUPS = {
    ProgrammeRole.STAFF: "Programme staff",
    ProgrammeRole.ADMIN: "Programme admins",
}
