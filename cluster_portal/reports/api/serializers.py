"""Shapes of the reports API: a report job as its requester (or a programme admin) sees it,
and what a client sends to ask for one. The service checks the kind, the format and the
parameters (report_parameters_clean) and names each wrong field."""

from django.urls import reverse
from rest_framework import serializers

from cluster_portal.accounts.models import User
from cluster_portal.core.api.openapi import NamedChoiceField

from ..kinds import REGISTRY, kinds_all
from ..models import ReportJob


class ReportRequesterSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]
        read_only_fields = fields


DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class ReportParametersSerializer(serializers.Serializer):
    """What a report may be narrowed to; every one optional (empty narrows nothing). Checked by
    the service against the kind: one the kind does not read, or any other name, is refused
    under `parameters.<name>`."""

    programme = serializers.CharField(required=False, allow_blank=True,
                                      help_text="A programme's slug.")
    workstream = serializers.CharField(required=False, allow_blank=True,
                                       help_text="A workstream's slug, such as "
                                                 "continuous-manufacturing.")
    date_from = serializers.RegexField(DATE, required=False, allow_blank=True,
                                       help_text="The first day, YYYY-MM-DD.")
    date_to = serializers.RegexField(DATE, required=False, allow_blank=True,
                                     help_text="The last day, YYYY-MM-DD, on or after "
                                               "date_from.")
    actor = serializers.CharField(required=False, allow_blank=True,
                                  help_text="The audit trail only: whose actions (e-mail).")
    object_type = serializers.CharField(required=False, allow_blank=True,
                                        help_text="The audit trail only: app.model, such as "
                                                  "projects.project.")

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # Names beyond these go on to the service, which refuses each by its name.
        values.update({name: value for name, value in data.items() if name not in self.fields})
        return values


class _Kinds:
    """The kinds registered (by the apps, when they start), as a choice set."""

    @property
    def choices(self):
        return [(kind.key, kind.label) for kind in kinds_all()]


class ReportJobCreateSerializer(serializers.Serializer):
    kind = NamedChoiceField(_Kinds(), enum_name="ReportKindEnum",
                            help_text="A kind of report, such as audit_trail or programme.")
    format = NamedChoiceField(ReportJob.Format, enum_name="ReportFormatEnum",
                              help_text="One of the formats the kind comes in (a kind may "
                                        "come in only some).")
    parameters = ReportParametersSerializer(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _Kinds().choices  # as registered now


class ReportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    format = NamedChoiceField(ReportJob.Format, enum_name="ReportFormatEnum", read_only=True)
    status = NamedChoiceField(ReportJob.Status, enum_name="ReportStatusEnum", read_only=True)
    parameters = ReportParametersSerializer(read_only=True)
    requester = ReportRequesterSerializer(read_only=True)
    expired = serializers.SerializerMethodField(
        help_text="Whether its file was deleted for having expired (ask for it again).")
    download_url = serializers.SerializerMethodField(
        help_text="Where to download the file, once it is ready and until it expires.")

    class Meta:
        model = ReportJob
        fields = ["id", "kind", "kind_label", "format", "parameters", "requester", "status",
                  "progress", "rows", "file_name", "error", "created_at", "started_at",
                  "finished_at", "expires_at", "expired", "expired_at", "download_url"]
        read_only_fields = fields

    def get_kind_label(self, job: ReportJob) -> str:
        kind = REGISTRY.kinds.get(job.kind)
        return kind.label if kind else job.kind

    def get_expired(self, job: ReportJob) -> bool:
        return job.expired_at is not None

    def get_download_url(self, job: ReportJob) -> str | None:
        if job.status != ReportJob.Status.DONE or job.expired_at is not None:
            return None
        url = reverse("api:report-jobs-download", kwargs={"pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
