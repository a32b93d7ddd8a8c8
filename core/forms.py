"""Form pieces shared by the apps."""

from django import forms
from django.template import loader
from django.utils.safestring import mark_safe


class FilterForm(forms.Form):
    """The filters of a list page, read from the query string and rendered by
    templates/components/filter_form.html: htmx refreshes the element `results_id` as the
    person types or picks, and the submit button (`submit_label`) does it without JavaScript.
    Each form has a search field `q`."""

    results_id = ""
    submit_label = "Apply filters"

    def __init__(self, data=None, **kwargs):
        # An empty query string is an unbound form: no errors shown, nothing filtered.
        super().__init__(data or None, **kwargs)

    def filters(self) -> dict:
        """The filters that were given, for a selector's keyword arguments; none if any value
        is invalid."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class CitySearchWidget(forms.Widget):
    """A search box and the matching cities as radio buttons (templates/components/
    city_field.html). htmx refreshes the matches as the person types (core.views.city_search);
    without JavaScript, submitting the form with a name typed lists the matches to pick from.
    The value is the chosen city's GeoNames id."""

    template_name = "components/city_field.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search = ""

    def value_from_datadict(self, data, files, name):
        self.search = (data.get(f"{name}_search") or "").strip()
        return data.get(name)

    def get_context(self, name, value, attrs):
        from core import cities  # noqa: PLC0415  (the list is read on first use)

        context = super().get_context(name, value, attrs)
        chosen = cities.get(value)
        matches = cities.search(self.search) if self.search else []
        context["widget"].update(
            chosen=chosen,
            search=self.search,
            matches=[c for c in matches if chosen is None or c.geoname_id != chosen.geoname_id],
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (the form renderer's own sees only app templates), so
        # the field and the search view share templates/components/city_results.html.
        context = self.get_context(name, value, self.build_attrs(self.attrs, attrs))
        return mark_safe(loader.render_to_string(self.template_name, context))

    def use_required_attribute(self, initial):
        return False

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_


class CityField(forms.Field):
    """A city from core.cities; cleans to a ``core.cities.City``."""

    widget = CitySearchWidget
    default_error_messages = {
        "required": "Type the first letters of your city and choose it from the list.",
        "invalid": "Choose a city from the list; type its first letters to find it.",
    }

    def prepare_value(self, value):
        return getattr(value, "geoname_id", value)

    def to_python(self, value):
        from core import cities  # noqa: PLC0415

        if value in self.empty_values:
            if self.widget.search:
                raise forms.ValidationError(
                    "Choose one of the cities listed below (or type another name).",
                    code="choose",
                )
            return None
        city = cities.get(value)
        if city is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return city
