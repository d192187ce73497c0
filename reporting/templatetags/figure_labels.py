"""``{{ key|label_in:labels }}``: a figure's label from a ``{key: label}`` mapping that
the view built once (see reporting.descriptions.labels), the key itself without one."""

from django import template

register = template.Library()


@register.filter
def label_in(key, labels):
    return (labels or {}).get(key, key)


@register.filter
def found_in(key, mapping):
    """The value of ``key`` in ``mapping``, empty when it holds none."""
    return (mapping or {}).get(key, "")
