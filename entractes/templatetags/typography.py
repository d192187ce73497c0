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
    """A number of a reference item inside a sentence, the label agreeing with it and
    its first letter lowered unless it starts an acronym: « 10 préservatifs masculins »,
    « 3 autotests VIH » (see ReferenceItem.counted)."""
    number_text, _space, label = item.counted(number).partition(" ")
    if not (len(label) > 1 and label[1].isupper()):
        label = label[:1].lower() + label[1:]
    return f"{number_text} {label}"
