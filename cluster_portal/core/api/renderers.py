"""The API's JSON renderer: orjson, several times faster than the standard library's encoder on
a page of a hundred rows, with the same output as DRF's JSONRenderer.

What orjson does not write itself (dates and times left unformatted, lazy translations,
decimals) goes through DRF's own encoder, so every value is written as DRF always wrote it.
An indented answer (asked for with `; indent=` in Accept) is DRF's.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_encoder = JSONEncoder()


class PortalJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_drf_encoder.default,
                            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS)
