"""The one way a form's cleaned data is written onto a record.

Every app's service calls ``save_record`` for its plain creations and edits, so that
they are validated, saved and their many-to-many choices set the same way (as
``ModelForm.save`` would), inside the service's transaction. The change history
(django-auditlog) records the save with the request's actor, as for any save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction


@transaction.atomic
def save_record[M: models.Model](
    instance: M, data: Mapping[str, Any], *, exclude: Iterable[str] = ()
) -> M:
    """Copy ``data`` onto ``instance``, validate the whole record (field rules, the
    model's ``clean``, uniqueness), save it, then set its many-to-many choices.

    ``exclude`` names fields not validated again (derived ones, filled on save). A
    many-to-many name given ``None`` is left as it is.
    """
    many = {field.name for field in instance._meta.many_to_many}
    choices = {}
    for name, value in data.items():
        if name in many:
            if value is not None:
                choices[name] = value
        else:
            setattr(instance, name, value)
    instance.full_clean(exclude=list(exclude) or None)
    instance.save()
    for name, values in choices.items():
        getattr(instance, name).set(values)
    return instance
