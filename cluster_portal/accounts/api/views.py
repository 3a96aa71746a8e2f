from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster_portal.core.api.openapi import with_errors

from ..models import ApiToken
from ..permissions import has_mfa
from ..roles_summary import person_role_names
from ..selectors import api_tokens_of
from ..services import api_token_create, api_token_revoke, user_update_profile
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MeSerializer,
    MeUpdateSerializer,
)

ME_EXAMPLE = OpenApiExample(
    "Programme staff member",
    value={
        "id": 7,
        "email": "staff@example.org",
        "full_name": "Lim Wei Jie",
        "job_title": "Programme manager",
        "phone": "+65 6123 4567",
        "roles": ["trainee", "programme_staff"],
        "mfa_enabled": True,
        "date_joined": "2026-01-05T09:00:00+08:00",
    },
    response_only=True,
)


class MeView(APIView):
    """The caller: who they are and which roles they hold. PATCH changes their own name, job
    title or phone number."""

    permission_classes = [permissions.IsAuthenticated]

    def _present(self, request):
        context = {"roles": person_role_names(request.user), "mfa_enabled": has_mfa(request.user)}
        return Response(MeSerializer(request.user, context=context).data)

    @extend_schema(responses=MeSerializer, examples=[ME_EXAMPLE])
    def get(self, request):
        return self._present(request)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer, examples=[ME_EXAMPLE])
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data:
            user_update_profile(actor=request.user, user=request.user,
                                **serializer.validated_data)
        return self._present(request)


class ApiTokenList(generics.ListAPIView):
    """The caller's API tokens, newest first. POST makes one; its key is in that answer only."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApiTokenSerializer
    filter_backends = []

    def get_queryset(self):
        return api_tokens_of(person=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(summary="The caller's API tokens")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Make an API token", request=ApiTokenCreateSerializer,
                   responses=with_errors({201: ApiTokenCreatedSerializer}, 400, 401, 403, 409))
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            # A leaked key must not be able to make itself more keys.
            raise PermissionDenied("Make tokens from a signed-in session, not with a token.")
        body = ApiTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, key = api_token_create(actor=request.user, **body.validated_data)
        data = ApiTokenSerializer(token, context=self.get_serializer_context()).data
        return Response({**data, "key": key}, status=status.HTTP_201_CREATED)


class ApiTokenDetail(generics.RetrieveDestroyAPIView):
    """One of the caller's API tokens. DELETE revokes it (the record stays)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return api_tokens_of(person=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(summary="One of the caller's API tokens",
                   responses=with_errors({200: ApiTokenSerializer}, 401, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Revoke one of the caller's API tokens",
                   responses=with_errors({200: ApiTokenSerializer}, 401, 404, 409))
    def delete(self, request, *args, **kwargs):
        token = api_token_revoke(actor=request.user, token=self.get_object())
        return Response(self.get_serializer(token).data)
