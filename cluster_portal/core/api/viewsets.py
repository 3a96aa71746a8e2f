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

    def transition(self, service, *, target: str, payload=None):
        """A state change as an action: `service` is called with the caller as `actor`, the
        object in the URL as `target`, and the body's validated fields (by `payload`, an input
        serializer) as its other arguments; the answer is the object as it now stands."""
        instance = self.get_object()
        arguments = {}
        if payload is not None:
            body = payload(data=self.request.data)
            body.is_valid(raise_exception=True)
            arguments = body.validated_data
        service(actor=self.request.user, **{target: instance}, **arguments)
        return self.present(instance)
