from contacts.models import Language, Product, ProstitutionMode
from entractes.admin import ReferenceAdmin, settings_site

for model in (Language, Product, ProstitutionMode):
    settings_site.register(model, ReferenceAdmin)
