"""Request bodies every app's decisions share (cluster_portal.core.transitions): a decline
with the reason the people concerned are told, a withdrawal or end with an optional one."""

from rest_framework import serializers

from .fields import MultilineTextField

REASON_MAX_LENGTH = 2000


class DecisionReasonSerializer(serializers.Serializer):
    reason = MultilineTextField(max_length=REASON_MAX_LENGTH,
                                help_text="Told to the people concerned.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = MultilineTextField(required=False, allow_blank=True, default="",
                                max_length=REASON_MAX_LENGTH)
