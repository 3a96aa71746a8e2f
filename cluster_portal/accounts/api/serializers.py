from rest_framework import serializers

from ..models import User


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField(help_text="Programme and organisation roles held.")
    mfa_enabled = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "roles", "mfa_enabled", "date_joined"]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        return self.context["roles"]

    def get_mfa_enabled(self, user) -> bool:
        return self.context["mfa_enabled"]


class MeUpdateSerializer(serializers.Serializer):
    # PATCH: what is left out stays as it is; an empty body changes nothing.
    full_name = serializers.CharField(max_length=150, required=False)
