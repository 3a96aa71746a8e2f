"""The base of viewsets whose rows come from one selector scoped to the caller."""

from rest_framework import status, viewsets
from rest_framework.response import Response


class ScopedViewSet(viewsets.GenericViewSet):
    """`get_queryset` returns the selector's rows; writes present their result as read back
    through it, so a response never shows more than a list would."""

    def refetched(self, instance):
        """`instance` read back through the selector, as the caller now sees it."""
        return self.get_queryset().get(pk=instance.pk)

    def present(self, instance, *, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.refetched(instance)).data, status=status_code)
