"""The one-pass select writes the same HTML as Django's own, chosen value, attributes and
escaping included, and the portfolio's organisation filter uses it."""

from django import forms
from django.test.html import parse_html

from cluster_portal.core.forms import LongSelect, PortalForm

CHOICES = [("", "Any organisation"), ("helix-bio", "Helix <Bio> & Co"),
           ("meridian", "Meridian “Pharma”"), ("42", "Forty-two")]


def _rendered(widget_class, value):
    class Form(PortalForm):
        organisation = forms.ChoiceField(required=False, choices=CHOICES, widget=widget_class,
                                         help_text="Leading or taking part.")

    return str(Form({"organisation": value})["organisation"])


def test_it_writes_what_djangos_select_writes():
    for value in ("", "helix-bio", "42", "nobody"):
        assert parse_html(_rendered(LongSelect, value)) == parse_html(
            _rendered(forms.Select, value)), value


def test_labels_are_escaped_and_the_chosen_one_is_selected():
    html = _rendered(LongSelect, "helix-bio")
    assert "Helix &lt;Bio&gt; &amp; Co" in html
    assert '<option value="helix-bio" selected>' in html
    assert 'class="form-select"' in html


def test_the_portfolio_filters_organisations_with_it():
    from projects.filters import PortfolioFilterForm

    assert isinstance(PortfolioFilterForm.base_fields["organisation"].widget, LongSelect)
