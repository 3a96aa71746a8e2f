from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from cluster_portal.core.api.openapi import NamedChoiceField

from ..kinds import kinds_all
from ..models import Delivery, Notification


class NotificationSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name", read_only=True, allow_null=True,
                                  default=None, help_text="Who caused it, when someone did.")
    is_read = serializers.BooleanField(read_only=True)
    delivery = NamedChoiceField(Delivery, enum_name="DeliveryEnum", read_only=True,
                                help_text="How it reached the person beyond the portal: e-mailed "
                                          "at once, in a daily digest, or not at all.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "actor", "created_at", "read_at", "is_read",
                  "delivery"]
        read_only_fields = fields


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread before.")


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(source="kind.key", help_text="The kind's key.")
    label = serializers.CharField(source="kind.label")
    group = serializers.CharField(source="kind.group")
    delivery = NamedChoiceField(Delivery, enum_name="DeliveryEnum",
                                help_text="How the person receives this kind now.")
    default = NamedChoiceField(Delivery, enum_name="DeliveryEnum", source="kind.default")
    locked = serializers.BooleanField(
        source="kind.locked", help_text="A security notice: always e-mailed at once.")


class NotificationPreferencesSerializer(serializers.Serializer):
    digest_hour = serializers.IntegerField(
        help_text="The hour (Singapore time) the daily digest goes out.")
    preferences = NotificationPreferenceSerializer(many=True)


class PreferenceChoiceSerializer(serializers.Serializer):
    # Plain strings: the service checks kind and delivery and names the kind in its message.
    kind = serializers.CharField(max_length=60)
    delivery = serializers.CharField(max_length=20,
                                     help_text="immediately, digest or in_app.")


class PreferenceChoiceSchema(OpenApiSerializerExtension):
    """What the service accepts, said in the schema: a registered kind, and a delivery; a
    security notice (a locked kind) only `immediately`. Which kinds a person has depends on
    their roles (programme staff have the programme office's too): another is refused (400),
    which no one schema for every caller can say."""

    target_class = PreferenceChoiceSerializer

    def map_serializer(self, auto_schema, direction) -> dict:
        kinds = kinds_all()

        def choice(kinds_here, deliveries) -> dict:
            # Each set inside an allOf, which drf-spectacular's naming of enums leaves alone:
            # it would give both branches' kinds one name (and one set).
            return {"type": "object", "required": ["kind", "delivery"], "properties": {
                "kind": {"allOf": [{"type": "string",
                                    "enum": [kind.key for kind in kinds_here]}],
                         "description": "The kind's key."},
                "delivery": {"allOf": [{"type": "string", "enum": list(deliveries)}]},
            }}

        return {"anyOf": [
            choice([kind for kind in kinds if not kind.locked], Delivery.values),
            choice([kind for kind in kinds if kind.locked], [Delivery.IMMEDIATELY.value]),
        ]}


class NotificationPreferencesUpdateSerializer(serializers.Serializer):
    preferences = serializers.ListField(
        child=PreferenceChoiceSerializer(), min_length=1, max_length=200,
        help_text="The kinds to change; kinds left out keep their delivery.")

    def validate_preferences(self, value):
        kinds = [choice["kind"] for choice in value]
        repeated = sorted({kind for kind in kinds if kinds.count(kind) > 1})
        if repeated:
            raise serializers.ValidationError(f"Each kind at most once: {', '.join(repeated)} "
                                              "is listed more than once.")
        return {choice["kind"]: choice["delivery"] for choice in value}
