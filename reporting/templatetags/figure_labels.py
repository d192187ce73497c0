"""``{{ key|label_in:labels }}``: a figure's label from a ``{key: label}`` mapping that
the view built once (see reporting.descriptions.labels), the key itself without one."""

from django import template

register = template.Library()


@register.filter
def label_in(key, labels):
    return (labels or {}).get(key, key)
