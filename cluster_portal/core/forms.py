"""The base of every page's form: Bootstrap classes on the widgets, and a service's refusal put
where the person will read it. Forms check the shape of input; the services decide."""

from django import forms

from .exceptions import ApplicationError


class PortalForm(forms.Form):
    """templates/includes/form_field.html lays each field out with its label, help and errors;
    Django marks invalid fields `aria-invalid` and links their help and error texts."""

    WIDGET_CLASSES = {"checkbox": "form-check-input", "select": "form-select"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound_field in self:
            css_class = self.WIDGET_CLASSES.get(bound_field.widget_type, "form-control")
            widget = bound_field.field.widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css_class}".strip()

    def add_service_error(self, error: ApplicationError) -> None:
        """A service's per-field messages go on the fields they name (above the form when the
        form has no such field); a refusal about no field goes above the form."""
        for name, messages in error.fields.items():
            self.add_error(name if name in self.fields else None, messages)
        if not error.fields:
            self.add_error(None, error.message)
