"""How the projects API names a refusal that concerns no single field."""

from contextlib import contextmanager

from cluster_portal.core.api.errors import NON_FIELD_KEY
from cluster_portal.core.exceptions import ApplicationError


@contextmanager
def api_field_names():
    """A service's refusal that concerns no single field (a model's own check) is put under
    `non_field_errors`, where the API's other such errors are."""
    try:
        yield
    except ApplicationError as error:
        error.fields = {NON_FIELD_KEY if name == "__all__" else name: messages
                        for name, messages in error.fields.items()}
        raise
