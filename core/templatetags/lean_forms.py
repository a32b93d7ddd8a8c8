"""`{% lean_form form %}`: the HTML of Django's default form rendering (the `div.html` form
template), built in Python for the common widgets instead of through one template per field,
label, widget, attribute list and option. A page with a form is rendered several times faster.
Any widget it does not know (or a field in a fieldset) falls back to Django's own rendering."""

from django import forms, template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_INPUTS = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.DateInput)


def _attrs(attrs: dict) -> str:
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


def _errors(errors) -> str:
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    id_attr = format_html(' id="{}_error"', field_id) if field_id else ""
    items = format_html_join("", "<li>{}</li>", ((e,) for e in errors))
    return format_html('<ul class="{}"{}>{}</ul>', errors.error_class, id_attr, items)


def _label(bf) -> str:
    if not bf.label:
        return ""
    contents = conditional_escape(bf.label)
    suffix = bf.field.label_suffix if bf.field.label_suffix is not None else bf.form.label_suffix
    if suffix and contents[-1] not in ":?.!":
        contents = format_html("{}{}", contents, suffix)
    id_ = bf.field.widget.attrs.get("id") or bf.auto_id
    if not id_:
        return contents
    attrs = {}
    id_for_label = bf.field.widget.id_for_label(id_)
    if id_for_label:
        attrs["for"] = id_for_label
    if bf.field.required and hasattr(bf.form, "required_css_class"):
        attrs["class"] = bf.form.required_css_class
    return format_html("<label{}>{}</label>", mark_safe(_attrs(attrs)), contents)


def _widget(bf) -> str | None:
    widget = bf.field.widget
    known = isinstance(widget, (*_INPUTS, forms.Textarea)) or (
        type(widget) is forms.Select and not widget.allow_multiple_selected
    )
    if not known or bf.field.localize:
        return None
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    context = widget.get_context(bf.html_name, bf.value(), attrs)["widget"]
    own = mark_safe(_attrs(context["attrs"]))
    if isinstance(widget, forms.Textarea):
        value = context["value"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', context["name"], own, value if value else ""
        )
    if isinstance(widget, forms.Select):
        options = []
        for group_name, group_choices, _ in context["optgroups"]:
            group = [
                format_html(
                    '<option value="{}"{}>{}</option>',
                    str(option["value"]),
                    mark_safe(_attrs(option["attrs"])),
                    option["label"],
                )
                for option in group_choices
            ]
            if group_name:
                options.append(
                    format_html(
                        '<optgroup label="{}">{}</optgroup>', group_name, mark_safe("".join(group))
                    )
                )
            else:
                options.extend(group)
        return format_html(
            '<select name="{}"{}>{}</select>', context["name"], own, mark_safe("".join(options))
        )
    value = context["value"]
    value_attr = format_html(' value="{}"', str(value)) if value is not None else ""
    return format_html(
        '<input type="{}" name="{}"{}{}>', context["type"], context["name"], value_attr, own
    )


def _field_group(bf) -> str:
    widget = _widget(bf) if not bf.use_fieldset else None
    if widget is None:
        return bf.as_field_group()
    help_text = ""
    if bf.help_text:
        id_attr = format_html(' id="{}_helptext"', bf.auto_id) if bf.auto_id else ""
        text = mark_safe(bf.help_text)  # as field.html does: help_text|safe
        help_text = format_html('<div class="helptext"{}>{}</div>', id_attr, text)
    return format_html("{}{}{}{}", _label(bf), help_text, _errors(bf.errors), widget)


@register.simple_tag
def lean_form(form) -> str:
    """The same HTML as ``{{ form }}`` with the default ``div.html`` template (forms with
    hidden fields, or another template, are rendered by Django)."""
    if form.template_name != "django/forms/div.html" or form.hidden_fields():
        return form.render()
    parts = [_errors(form.non_field_errors())]
    for bf in form.visible_fields():
        classes = bf.css_classes()
        class_attr = format_html(' class="{}"', classes) if classes else ""
        parts.append(format_html("<div{}>{}</div>", class_attr, _field_group(bf)))
    return mark_safe("".join(parts))


@register.simple_tag
def lean_field_group(bf) -> str:
    """The same HTML as ``{{ field.as_field_group }}``, built in Python where it can be."""
    return mark_safe(_field_group(bf))
