"""The dashboard's charts: a figure's numbers drawn as SVG by pygal, on the server, placed in
the page as markup.

The Content-Security-Policy allows no inline script or style, so what pygal adds for its
interactive mode is taken out of the tree before it is written: its <script> elements, its
<style> element (the chart's looks live in static/css/portal.css, on pygal's own class names),
every style attribute and the tooltip it would move with script. What stays is a static picture
that loads nothing from anywhere; the numbers themselves are in the table beside it.
"""

import functools
from xml.etree import ElementTree

from django.utils.safestring import SafeString, mark_safe

from .dashboard import FigureData

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
ElementTree.register_namespace("", SVG_NAMESPACE)
ElementTree.register_namespace("xlink", XLINK_NAMESPACE)

# pygal's chart class of each kind of chart. pygal is imported when a chart is first drawn:
# imported with the URLconf, it cost every process, web and worker, 6 MB it mostly never uses.
CHART_CLASS_NAMES = {
    "bar": "Bar",
    "stacked_bar": "StackedBar",
    "horizontal_bar": "HorizontalBar",
    "line": "Line",
    "pie": "Pie",
}


@functools.cache
def _portal_style():
    """The portal's palette (static/css/portal.css repeats it on the .color-N classes, which is
    what the browser uses; pygal needs one to lay out its legend)."""
    from pygal.style import Style

    return Style(
        background="transparent", plot_background="transparent",
        foreground="#212529", foreground_strong="#212529", foreground_subtle="#6c757d",
        font_family="system-ui, sans-serif",
        colors=("#0b5d6b", "#b45309", "#6f42c1", "#198754", "#b02a37", "#0d6efd", "#6c757d",
                "#20c997"),
    )


def _tag(element) -> str:
    # Comments and processing instructions have a function for a tag: named "" here.
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _made_static(root) -> None:
    """Take out of the tree what would run script, carry inline style or load from elsewhere."""
    for parent in list(root.iter()):
        for child in list(parent):
            classes = child.get("class", "").split()
            if _tag(child) in {"script", "style", ""} or "tooltip" in classes:
                parent.remove(child)
    for element in root.iter():
        if not _tag(element):
            continue
        element.attrib.pop("style", None)
        for name in [name for name in element.attrib if _tag_name(name) == "href"]:
            del element.attrib[name]


def _tag_name(attribute: str) -> str:
    return attribute.rsplit("}", 1)[-1]


def chart_svg(data: FigureData, *, kind: str, label: str) -> SafeString:
    """The figure as inline SVG markup, scaled to its container's width, announced to screen
    readers as one image named `label` (its numbers are in the table that follows it)."""
    # A series with nothing in it draws nothing: it is left to the table, where its zeros read
    # as such, and keeps the legend short.
    series = [(name, values) for name, values in data.series if any(values)] or data.series
    horizontal = kind == "horizontal_bar"
    labels = [str(label_name) for label_name in data.labels]
    x_title, y_title = data.x_title or None, data.y_title or None
    if horizontal:
        # pygal draws the first label at the bottom: turned, so the chart reads top down like
        # its table. The values' title goes under them; the labels name themselves (a title
        # beside long labels would lie across them).
        labels.reverse()
        series = [(name, list(reversed(values))) for name, values in series]
        x_title, y_title = y_title, None
    import pygal

    chart = getattr(pygal, CHART_CLASS_NAMES[kind])(
        style=_portal_style(), js=[], css=[], disable_xml_declaration=True, no_prefix=True,
        show_legend=len(series) > 1 or kind == "pie", legend_at_bottom=True,
        legend_at_bottom_columns=3,
        x_title=x_title if kind != "pie" else None, y_title=y_title if kind != "pie" else None,
        x_label_rotation=30 if len(data.labels) > 6 and not horizontal else 0,
        truncate_label=44 if horizontal else 20, truncate_legend=30, print_values=False,
        tooltip_fancy_mode=False, width=640,
        # A horizontal bar chart grows with its rows, so that each label stays legible.
        height=max(360, 110 + 28 * len(data.labels)) if horizontal else 380,
        margin=10, margin_right=28, min_scale=4, max_scale=8, order_min=0,
        no_data_text="Nothing yet",
    )
    if kind == "pie":
        # A pie's slices are the labels; each series is read as one slice's value.
        for index, label_name in enumerate(data.labels):
            chart.add(str(label_name), [sum(values[index] for _name, values in series)])
    else:
        chart.x_labels = labels
        for name, values in series:
            chart.add(str(name), [float(value) for value in values])
    # pygal's random root id is of use only to its own script, which is not sent.
    root = chart.render_tree()
    _made_static(root)
    root.attrib.pop("id", None)
    for title in root.iter(f"{{{SVG_NAMESPACE}}}title"):
        title.text = label
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("focusable", "false")
    root.set("class", f"{root.get('class', '')} dashboard-chart-svg".strip())
    markup = ElementTree.tostring(root, encoding="unicode")
    return mark_safe(markup)  # noqa: S308 - built from numbers and escaped labels by ElementTree
