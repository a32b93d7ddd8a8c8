"""Form pieces shared by the apps."""

from django import forms


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
