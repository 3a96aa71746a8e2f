"""The caller's own notifications. Nobody lists or marks anyone else's."""

import django_filters
from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster_portal.core.api.filters import BooleanFilter, FilterSetBackend
from cluster_portal.core.api.openapi import with_errors

from ..models import Notification
from ..selectors import notification_list, notification_preferences_for
from ..services import notification_preferences_set, notifications_mark_read
from .serializers import (
    MarkedReadSerializer,
    NotificationPreferencesSerializer,
    NotificationPreferencesUpdateSerializer,
    NotificationSerializer,
)


class NotificationFilter(django_filters.FilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull",
                           help_text="true: only the unread ones.")

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


@extend_schema_view(
    list=extend_schema(summary="List the caller's notifications", description="Newest first."),
    retrieve=extend_schema(summary="One of the caller's notifications",
                           responses=with_errors({200: NotificationSerializer}, 401, 404)),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    queryset = Notification.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        return notification_list(recipient=self.request.user)

    @extend_schema(
        summary="Mark one notification read",
        request=None,
        responses=with_errors({200: NotificationSerializer}, 401, 404),
    )
    @action(detail=True, methods=["post"], url_path="mark-read")
    def mark_read(self, request, pk=None):
        notification = self.get_object()
        notifications_mark_read(recipient=request.user, notification_ids=[notification.pk])
        return Response(self.get_serializer(self.get_queryset().get(pk=notification.pk)).data)

    @extend_schema(
        summary="Mark all the caller's notifications read",
        request=None,
        responses=with_errors({200: MarkedReadSerializer}, 401),
    )
    @action(detail=False, methods=["post"], url_path="mark-all-read")
    def mark_all_read(self, request):
        marked = notifications_mark_read(recipient=request.user)
        return Response(MarkedReadSerializer({"marked": marked}).data)


class NotificationPreferencesView(APIView):
    """How the caller hears about each kind of notification: e-mailed at once, in the daily
    digest, or in the portal only. PUT changes the kinds it lists."""

    permission_classes = [IsAuthenticated]

    def _present(self, request):
        return Response(NotificationPreferencesSerializer({
            "digest_hour": settings.NOTIFICATION_DIGEST_HOUR,
            "preferences": notification_preferences_for(request.user),
        }).data)

    @extend_schema(summary="The caller's notification preferences",
                   responses=with_errors({200: NotificationPreferencesSerializer}, 401))
    def get(self, request):
        return self._present(request)

    @extend_schema(summary="Change the caller's notification preferences",
                   request=NotificationPreferencesUpdateSerializer,
                   responses=with_errors({200: NotificationPreferencesSerializer}, 400, 401))
    def put(self, request):
        body = NotificationPreferencesUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notification_preferences_set(person=request.user,
                                     choices=body.validated_data["preferences"])
        return self._present(request)
