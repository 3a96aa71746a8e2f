"""The reports API: the caller's report jobs (a programme admin's: everyone's), asking for one
(the same request while one is at work answers that one, 200 instead of 201), and its file.

Another person's job is a 404, exactly as one that does not exist; a file past its days is a
410 (ask for the report again). The service decides who may ask for which kind and refuses in
its own words (ApplicationError -> the common error format); a wrong parameter is named
`parameters.<name>` in `fields`."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from cluster_portal.core.api.openapi import ErrorSerializer, error_example, with_errors
from cluster_portal.core.api.viewsets import ScopedViewSet
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotFound

from ..models import ReportJob
from ..permissions import may_download_report
from ..selectors import report_job_list_visible
from ..services import report_job_downloaded, report_job_request
from ..views.jobs import CONTENT_TYPES
from . import serializers as s

NOT_MAIN_FIELDS = ("kind", "format", "non_field_errors")


class Expired(ApplicationError):
    status_code = 410
    code = "expired"


NOT_READY = "This report is not ready yet: its file can be downloaded once it is built."
EXPIRED_RESPONSE = OpenApiResponse(
    response=ErrorSerializer,
    description="The file was deleted for having expired; ask for the report again.",
    examples=[error_example("Expired", code="expired", message=(
        "This report's file was deleted on 2026-11-08, 7 days after it was built; ask for it "
        "again."))])
BAD_PARAMETER = error_example(
    "A wrong parameter", code="invalid",
    message="Some of the report's parameters need correcting.",
    fields={"parameters.date_to": ["The period ends on or after the day it starts."]})
UNKNOWN_KIND = error_example("An unknown kind", code="invalid",
                             message="Choose a kind of report.",
                             fields={"kind": ["“sales” is not a kind of report."]})
JOB_EXAMPLE = OpenApiExample("A report being built", response_only=True, value={
    "id": 42, "kind": "audit_trail", "kind_label": "Audit trail", "format": "csv",
    "parameters": {"date_from": "2026-10-01", "date_to": "2026-10-31"},
    "requester": {"id": 7, "full_name": "Tan Mei Ling"}, "status": "running", "progress": 40,
    "rows": 0, "file_name": "", "error": "", "created_at": "2026-11-01T09:00:00+08:00",
    "started_at": "2026-11-01T09:00:02+08:00", "finished_at": None, "expires_at": None,
    "expired": False, "expired_at": None, "download_url": None})
FILE_RESPONSE = OpenApiResponse(response=OpenApiTypes.BINARY,
                                description="The report's file, as an attachment.")


def _dotted(errors: dict) -> dict:
    """The input's errors with a parameter's named `parameters.<name>`, as the service's are;
    `parameters` that is no object at all is named `parameters`."""
    named = {}
    for name, messages in errors.items():
        if isinstance(messages, dict):
            for inner, inner_messages in messages.items():
                named["parameters" if inner == "non_field_errors" else
                      f"{name}.{inner}"] = inner_messages
        else:
            named[name] = messages
    return named


def _api_fields(error: ApplicationError) -> ApplicationError:
    """A parameter's refusal is named `parameters.<name>`, beside `kind` and `format`."""
    error.fields = {name if name in NOT_MAIN_FIELDS else f"parameters.{name}": messages
                    for name, messages in error.fields.items()}
    return error


@extend_schema_view(
    list=extend_schema(summary="List report jobs",
                       description="The caller's own, newest first; a programme admin's: "
                                   "everyone's."),
    retrieve=extend_schema(summary="One report job",
                           description="Its requester's and programme admins'; to anyone else "
                                       "a 404, as a job that does not exist.",
                           responses=with_errors({200: s.ReportJobSerializer}, 401, 403, 404),
                           examples=[JOB_EXAMPLE]),
)
class ReportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ReportJobSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return report_job_list_visible(user=self.request.user)

    @extend_schema(
        summary="Ask for a report",
        description="Built in the background: follow `status` and `progress`, then download "
                    "the file. Asking again for the same kind, format and parameters while one "
                    "is at work answers that one (200) rather than starting another (201). Who "
                    "may ask: programme staff with MFA (programme admins for admin kinds; "
                    "partner admins for the kinds that cover their own organisations). A "
                    "wrong kind or format is named under `kind` or `format`, a wrong parameter "
                    "under `parameters.<name>`.",
        request=s.ReportJobCreateSerializer,
        responses=with_errors({201: s.ReportJobSerializer, 200: s.ReportJobSerializer},
                              400, 401, 403, examples={400: [UNKNOWN_KIND, BAD_PARAMETER]}),
        examples=[JOB_EXAMPLE])
    def create(self, request):
        body = s.ReportJobCreateSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(_dotted(body.errors))
        try:
            job, is_new = report_job_request(
                actor=request.user, kind=body.validated_data["kind"],
                format=body.validated_data["format"],
                parameters=body.validated_data.get("parameters") or {})
        except ApplicationError as error:
            raise _api_fields(error) from None
        return self.present(job, status_code=status.HTTP_201_CREATED if is_new
                            else status.HTTP_200_OK)

    @extend_schema(
        summary="Download a report's file",
        description="Its requester's and programme admins' (404 to anyone else); 409 while it "
                    "is at work or when it failed; 410 once its file expired.",
        responses={(200, "text/csv"): FILE_RESPONSE,
                   (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                       FILE_RESPONSE,
                   (200, "application/pdf"): FILE_RESPONSE,
                   **with_errors({}, 401, 403, 404, 409), 410: EXPIRED_RESPONSE})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if not may_download_report(request.user, job):
            raise NotFound("No ReportJob matches the given query.")
        if job.expired_at is not None:
            kept = (job.expired_at - job.finished_at).days if job.finished_at else 0
            raise Expired(f"This report's file was deleted on {job.expired_at.date():%Y-%m-%d}, "
                          f"{kept} day{'s' if kept != 1 else ''} after it was built; ask for "
                          "it again.")
        if job.status != ReportJob.Status.DONE or not job.file:
            raise Conflict(NOT_READY if job.is_at_work else
                           "This report could not be built, so it has no file.")
        handle = job.file.open("rb")
        if request.method == "GET":  # a HEAD reads no file
            report_job_downloaded(actor=request.user, job=job)
        return FileResponse(handle, as_attachment=True, filename=job.file_name or None,
                            content_type=CONTENT_TYPES.get(job.format,
                                                           "application/octet-stream"))
