import re

from django.core.exceptions import ValidationError
from rest_framework import serializers

from cluster_portal.core.api.fields import BooleanField, IntegerChoiceField, SingleLineField

from ..models import ApiToken, User
from ..services import API_TOKEN_VALID_DAYS
from ..validators import (
    FULL_NAME_MAX_LENGTH,
    JOB_TITLE_MAX_LENGTH,
    PHONE_HELP,
    PHONE_MAX_LENGTH,
    PHONE_PATTERN,
    phone_number,
)


def validate_phone_as_sent(value: str) -> None:
    phone_number(value)  # the rule, in its own words
    if value and not re.fullmatch(PHONE_PATTERN, value):
        # What the rule forgives on the profile page (spaces before the +), the API's schema
        # does not: the number is taken exactly as sent.
        raise ValidationError("Start the number with its +, with nothing before it.")


class PhoneNumberField(SingleLineField):
    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, max_length=PHONE_MAX_LENGTH, **kwargs)
        self.validators.append(validate_phone_as_sent)
        self.pattern = PHONE_PATTERN


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField(help_text="Programme and organisation roles held.")
    mfa_enabled = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "job_title", "phone", "roles", "mfa_enabled",
                  "date_joined"]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        return self.context["roles"]

    def get_mfa_enabled(self, user) -> bool:
        return self.context["mfa_enabled"]


class MeUpdateSerializer(serializers.Serializer):
    # PATCH: what is left out stays as it is; an empty body changes nothing.
    full_name = SingleLineField(max_length=FULL_NAME_MAX_LENGTH, required=False)
    job_title = SingleLineField(max_length=JOB_TITLE_MAX_LENGTH, required=False,
                                allow_blank=True, help_text="Empty to remove it.")
    phone = PhoneNumberField(required=False, help_text=f"{PHONE_HELP} Empty to remove it.")


class ApiTokenSerializer(serializers.ModelSerializer):
    is_usable = serializers.SerializerMethodField(help_text="Neither revoked nor expired.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "with_staff_rights", "created_at", "expires_at",
                  "last_used_at", "revoked_at", "is_usable"]
        read_only_fields = fields

    def get_is_usable(self, token) -> bool:
        return token.is_usable_at(self.context["now"])


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(help_text="The key: shown this once, never again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = SingleLineField(max_length=100, help_text="What uses it, such as “reporting script”.")
    valid_days = IntegerChoiceField(choices=API_TOKEN_VALID_DAYS, default=90,
                                    help_text="How long it works: 30, 90 or 365 days.")
    with_staff_rights = BooleanField(
        default=False, help_text="Programme staff with two-factor authentication only.")
