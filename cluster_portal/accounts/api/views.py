from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from ..permissions import has_mfa
from ..roles_summary import person_role_names
from ..services import user_update_profile
from .serializers import MeSerializer, MeUpdateSerializer

ME_EXAMPLE = OpenApiExample(
    "Programme staff member",
    value={
        "id": 7,
        "email": "staff@example.org",
        "full_name": "Lim Wei Jie",
        "roles": ["trainee", "programme_staff"],
        "mfa_enabled": True,
        "date_joined": "2026-01-05T09:00:00+08:00",
    },
    response_only=True,
)


class MeView(APIView):
    """The caller: who they are and which roles they hold. PATCH changes their own name."""

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
            user_update_profile(user=request.user, **serializer.validated_data)
        return self._present(request)
