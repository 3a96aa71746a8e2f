"""Request body parsers of the API."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class PortalJSONParser(JSONParser):
    """JSON, refusing a body nested too deeply for Python's parser (`[[[[...]]]]` a hundred
    thousand deep) with a 400 instead of letting its RecursionError become a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the document is nested too deeply.") from error
