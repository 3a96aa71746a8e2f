"""The list of role names shown to a person (navigation, /api/v1/me/).

Domain apps add the roles they own (partner admin, partner member) through ROLE_PROVIDERS,
so this module never imports them.
"""

from django.utils.module_loading import import_string

from .selectors import user_programme_roles

# Dotted paths of callables `(user) -> iterable[str]`, registered by the apps that own the roles.
ROLE_PROVIDERS: list[str] = ["partners.selectors.organisation_role_names"]


def person_role_names(user) -> list[str]:
    if not user.is_authenticated:
        return []
    programme_roles = sorted(role.value for role in user_programme_roles(user))
    # Any signed-in person may enrol in courses, but programme staff come for their role: the
    # programme's own people are not listed as its trainees.
    names = [] if programme_roles else ["trainee"]
    for provider_path in ROLE_PROVIDERS:
        names.extend(import_string(provider_path)(user))
    return [*names, *programme_roles]
