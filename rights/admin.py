from entractes.admin import ReferenceAdmin, settings_site
from rights.models import ProcedureTheme, PSPDocumentKind

for model in (ProcedureTheme, PSPDocumentKind):
    settings_site.register(model, ReferenceAdmin)
