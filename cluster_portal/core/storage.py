"""Where uploaded files live. Uploads that only some people may see are kept in the "private"
storage (outside MEDIA_ROOT, see settings), and are served by views that ask the access layer
first; nothing of ours is served straight from a media URL."""

from django.core.files.storage import storages


def private_storage():
    """The "private" storage; a callable, so tests and each environment can swap it."""
    return storages["private"]
