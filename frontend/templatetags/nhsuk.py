"""Render Django form fields with the NHS.UK design system's markup."""

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()

INPUT_CLASSES = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
}


def _describedby(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def nhsuk_widget(field: BoundField) -> str:
    """The field's widget with the NHS.UK class, error state and hint/error description."""
    widget = field.field.widget
    css = next((name for kind, name in INPUT_CLASSES.items() if isinstance(widget, kind)), "nhsuk-input")
    if field.errors:
        css += f" {css}--error"
    # The NHS.UK design system never uses placeholders: they vanish as people type and are often too faint.
    attrs: dict[str, Any] = {
        "class": " ".join(filter(None, [css, widget.attrs.get("class", "")])),
        "placeholder": False,
    }
    if described := _describedby(field):
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.filter
def widget_kind(field: BoundField) -> str:
    """Which NHS.UK component draws this field: radios, checkboxes, checkbox or input."""
    widget = field.field.widget
    # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first, or people could tick only one.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


# What a field's label says after its name when the form can be saved without it. Some such fields are still needed
# for something (a listing to be published, a broker to be listed): the form marks them with one of these attributes,
# holding the words to show, and the label says so rather than "(optional)".
NEEDED_MARKS = ("needed_to_publish", "needed_to_be_listed")


@register.filter
def label_mark(field: BoundField) -> str:
    """ "needed to publish", "needed to be listed", "optional", or "" for a required field."""
    for mark in NEEDED_MARKS:
        if words := getattr(field.field, mark, ""):
            return str(words)
    return "" if field.field.required else "optional"
