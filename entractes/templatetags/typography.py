"""French number typography in templates: ``{% load typography %}``, then
``{{ n|fr_number }}``, ``{{ share|fr_percent }}``, ``{{ change|fr_change }}``,
``{{ amount|fr_euros }}``, ``{{ n|fr_value:unit }}`` (see entractes.lib.typography)."""

from django import template

from entractes.lib import typography

register = template.Library()


@register.filter
def fr_number(value, decimals=None):
    return typography.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def fr_percent(value, decimals=0):
    return typography.percent(value, int(decimals))


@register.filter
def fr_change(value, decimals=0):
    return typography.change(value, int(decimals))


@register.filter
def fr_euros(value):
    return typography.euros(value)


@register.filter
def fr_value(value, unit="count"):
    return typography.value(value, unit or "count")


@register.filter
def counted(item, number):
    """A number of a reference item, the label agreeing with it: « 10 préservatifs
    masculins » (see ReferenceItem.counted)."""
    return item.counted(number)
