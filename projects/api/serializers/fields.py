"""Fields and choices the projects API's serializers share: ids, amounts in SGD, people by
e-mail, skills by code, projects the caller sees beyond their summary."""

import re
from decimal import Decimal

from drf_spectacular.extensions import (
    OpenApiSerializerFieldExtension,
)
from rest_framework import serializers

from cluster_portal.core.api.fields import (
    sent_as_json,
)
from cluster_portal.core.api.openapi import NamedChoiceField
from talent.models import Skill
from talent.selectors import skill_list_public

from ...models import (
    TRL_MAX,
    TRL_MIN,
    Contribution,
    Deliverable,
    Project,
    Rag,
    Visibility,
)
from ...permissions import Access
from ...selectors import person_by_email, project_get_visible

# An id in a body or the query string: a whole number a PostgreSQL integer holds.
LARGEST_ID = 2**31 - 1
REASON_MAX_LENGTH = 2000
YEAR_MIN, YEAR_MAX = 2000, 2100  # as Contribution.year allows


def status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Project.Status, enum_name="ProjectStatusEnum", **kwargs)


def rag_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Rag, enum_name="RagEnum", **kwargs)


def visibility_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Visibility, enum_name="ProjectVisibilityEnum", **kwargs)


def deliverable_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Deliverable.Kind, enum_name="DeliverableKindEnum", **kwargs)


def contribution_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Contribution.Kind, enum_name="ContributionKindEnum", **kwargs)


# --- Fields the schema states exactly ---------------------------------------------------------


class WholeNumberField(serializers.IntegerField):
    """A whole number; in JSON a number, not "3" (the schema says integer, and what it calls
    invalid the API refuses)."""

    def to_internal_value(self, data):
        if sent_as_json(self) and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("invalid")
        return super().to_internal_value(data)


def trl_input(**kwargs) -> WholeNumberField:
    return WholeNumberField(min_value=TRL_MIN, max_value=TRL_MAX, **kwargs)


AMOUNT_PATTERN = r"^[0-9]{1,12}(?:\.[0-9]{1,2})?$"
AMOUNT_HELP = ("Singapore dollars as a decimal string, zero or more, with at most two decimals: "
               "\"25000\" or \"25000.50\".")


class AmountField(serializers.Field):
    """An amount of Singapore dollars, sent as a decimal string so that no cent is lost to a
    binary fraction; presented the same way."""

    default_error_messages = {
        "invalid": "Give an amount in Singapore dollars as a decimal string, such as \"25000\" "
                   "or \"25000.50\".",
        "negative": "An amount is zero or more.",
        "too_large": "Give an amount under one trillion dollars.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if data.startswith("-") and re.fullmatch(AMOUNT_PATTERN, data[1:]):
            self.fail("negative")
        if re.fullmatch(r"[0-9]{13,}(?:\.[0-9]{1,2})?", data):
            self.fail("too_large")
        if not re.fullmatch(AMOUNT_PATTERN, data):
            self.fail("invalid")
        return Decimal(data)

    def to_representation(self, value):
        return f"{value:.2f}"


class AmountFieldSchema(OpenApiSerializerFieldExtension):
    target_class = AmountField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN}


class PersonByEmailField(serializers.EmailField):
    """A person named by the e-mail address of their account (for programme staff, who alone
    name principal investigators, team members and officers)."""

    default_error_messages = {"no_account": "No active account has the address “{email}”."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # The address is checked as an address first; the person is found afterwards.
        email = super().run_validation(data)
        if email is None:
            return None
        person = person_by_email(user=self.context["request"].user, email=email)
        if person is None:
            self.fail("no_account", email=email)
        return person


class SkillField(serializers.SlugRelatedField):
    default_error_messages = {"does_not_exist": "There is no skill “{value}”.",
                              "invalid": "Give the skill's code."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Skill.objects.none(), **kwargs)

    def get_queryset(self):
        return skill_list_public()


class VisibleProjectField(serializers.SlugRelatedField):
    """A project named by its code, found only among those the caller sees beyond the public
    summary: one they may not see is no project at all (400 on the field), as one that does not
    exist; whether they may act on it is the service's call."""

    default_error_messages = {"does_not_exist": "There is no project “{value}”.",
                              "invalid": "Give the project's code."}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Code of the project, such as PIPS-CM-2026-003.")
        super().__init__(slug_field="code", queryset=Project.objects.none(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data or "\x00" in data or len(data) > 40:
            self.fail("invalid")
        try:
            project, access = project_get_visible(user=self.context["request"].user, code=data)
        except Project.DoesNotExist:
            self.fail("does_not_exist", value=data)
        if access < Access.MEMBER:
            self.fail("does_not_exist", value=data)
        project.access_level = access
        return project
