"""The base of every page's form: Bootstrap classes on the widgets, and a service's refusal put
where the person will read it. Forms check the shape of input; the services decide."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .exceptions import ApplicationError


class PortalForm(forms.Form):
    """templates/includes/form_field.html lays each field out with its label, help and errors;
    Django marks invalid fields `aria-invalid` and links their help and error texts."""

    WIDGET_CLASSES = {"checkbox": "form-check-input", "select": "form-select",
                      "longselect": "form-select"}

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


class LongSelect(forms.Select):
    """A select of hundreds or thousands of options (every organisation that takes part in a
    project), written in one pass. Django's Select renders each option through a template of
    its own, about 0.3 ms an option: at 450 organisations that was most of the portfolio page's
    time, and it grows with the programme. The HTML is the same as Select's (flat choices only:
    no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        # escape() once per value rather than format_html per option: a tenth of the time.
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if str(option) in chosen else ""}>'
            f"{escape(label)}</option>"
            for option, label in self.choices)
        return format_html("<select{}>{}</select>",
                           flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})),
                           mark_safe(options))  # noqa: S308 - every value and label escaped above
