"""What projects report in the API: monthly status updates and contributions."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cluster_portal.core.api.fields import (
    MultilineTextField,
    PlausibleDateField,
)
from partners.api.serializers import (
    OrganisationRefSerializer,
    PersonNameSerializer,
    VisibleOrganisationField,
)

from ...models import (
    Contribution,
    StatusUpdate,
)
from ...services.reporting import NARRATIVE_MAX_LENGTH
from .fields import (
    AMOUNT_HELP,
    YEAR_MAX,
    YEAR_MIN,
    AmountField,
    VisibleProjectField,
    WholeNumberField,
    contribution_kind_field,
    rag_field,
    trl_input,
)

# --- Status updates ---------------------------------------------------------------------------


class StatusUpdateSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True,
                                    help_text="The project's code.")
    overall = rag_field(read_only=True)
    schedule = rag_field(read_only=True)
    budget = rag_field(read_only=True)
    posted_by = PersonNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = StatusUpdate
        fields = ["id", "project", "period", "overall", "schedule", "budget", "narrative",
                  "trl", "posted_by", "posted_at"]
        read_only_fields = fields


class StatusUpdateCreateSerializer(serializers.Serializer):
    project = VisibleProjectField()
    period = PlausibleDateField(help_text="Any day of the month reported on (this month or an "
                                          "earlier one since the project started).")
    overall = rag_field()
    schedule = rag_field()
    budget = rag_field()
    narrative = MultilineTextField(max_length=NARRATIVE_MAX_LENGTH,
                                   help_text="Progress, issues and next steps.")
    trl = trl_input(required=False, allow_null=True, default=None,
                    help_text="The technology readiness level reached, if it moved.")


# --- Contributions ----------------------------------------------------------------------------


class ContributionSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True,
                                    help_text="The project's code.")
    organisation = OrganisationRefSerializer(read_only=True)
    kind = contribution_kind_field(read_only=True)
    committed_sgd = AmountField(read_only=True, help_text=AMOUNT_HELP)
    actual_sgd = AmountField(read_only=True, help_text=AMOUNT_HELP)
    currency = serializers.SerializerMethodField(help_text="Always SGD.")

    class Meta:
        model = Contribution
        fields = ["id", "project", "organisation", "year", "kind", "committed_sgd",
                  "actual_sgd", "currency", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[Contribution.CURRENCY]))
    def get_currency(self, contribution: Contribution) -> str:
        return Contribution.CURRENCY


class ContributionRecordSerializer(serializers.Serializer):
    project = VisibleProjectField()
    organisation = VisibleOrganisationField(help_text="Slug of a participating organisation.")
    year = WholeNumberField(min_value=YEAR_MIN, max_value=YEAR_MAX,
                            help_text="A year of the project.")
    kind = contribution_kind_field()
    committed_sgd = AmountField(required=False, default=Decimal("0"), help_text=AMOUNT_HELP)
    actual_sgd = AmountField(required=False, default=Decimal("0"), help_text=AMOUNT_HELP)
    currency = serializers.ChoiceField(
        choices=[Contribution.CURRENCY], required=False, default=Contribution.CURRENCY,
        error_messages={"invalid_choice": "Contributions are recorded in Singapore dollars "
                                          "(SGD); convert the amount first."},
        help_text="SGD, the only currency recorded.")


class ContributionTotalSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The group: an organisation's slug, a workstream's "
                                          "slug, a project's code, or a year.")
    name = serializers.CharField(help_text="The group in words.")
    committed_cash = AmountField()
    committed_in_kind = AmountField()
    actual_cash = AmountField()
    actual_in_kind = AmountField()
