from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and int(value) >= 1 else None


class PortalPageNumberPagination(PageNumberPagination):
    """25 rows a page by default; a client may ask for up to 100 with ?page_size= (more is
    answered with 100). A page or page size that is not a whole number from 1 up is refused
    with a 400, rather than quietly read as page 1 or the default size; a page past the last
    is a 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # ?page=last is not in the schema: pages are numbers

    def get_page_number(self, request, paginator):
        asked = request.query_params.get(self.page_query_param)
        if asked is None:
            return 1
        if _whole_number(asked) is None:
            raise ValidationError({self.page_query_param: [
                "Give the page as a whole number from 1."]})
        return int(asked)

    def get_page_size(self, request):
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        if _whole_number(asked) is None:
            raise ValidationError({self.page_size_query_param: [
                f"Give the number of rows a page as a whole number from 1 (at most "
                f"{self.max_page_size} are given)."]})
        return min(int(asked), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Rows a page: {self.page_size} unless asked; at most {self.max_page_size} "
                    f"(more is answered with {self.max_page_size}).")
        return parameters
