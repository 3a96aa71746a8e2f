from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootView(APIView):
    """The API's index: every top-level endpoint by name. Lists are filtered by who asks."""

    permission_classes = [permissions.AllowAny]
    endpoint_names: tuple[str, ...] = ()

    @extend_schema(responses={200: {"type": "object", "additionalProperties": {"type": "string"}}})
    def get(self, request, format=None):
        links = {
            name.split(":")[-1].removesuffix("-list"): reverse(name, request=request, format=format)
            for name in self.endpoint_names
        }
        links["schema"] = reverse("api-schema", request=request)
        links["docs"] = reverse("api-docs", request=request)
        return Response(links)
