from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from ..permissions import has_mfa
from ..roles_summary import person_role_names
from .serializers import MeSerializer


class MeView(APIView):
    """The caller: who they are and which roles they hold."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=MeSerializer,
        examples=[
            OpenApiExample(
                "Programme staff member",
                value={
                    "id": 7,
                    "email": "staff@example.org",
                    "full_name": "Lim Wei Jie",
                    "roles": ["trainee", "programme_staff"],
                    "mfa_enabled": True,
                    "date_joined": "2026-01-05T09:00:00+08:00",
                },
            )
        ],
    )
    def get(self, request):
        context = {"roles": person_role_names(request.user), "mfa_enabled": has_mfa(request.user)}
        return Response(MeSerializer(request.user, context=context).data)
