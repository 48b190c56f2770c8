from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "beheer.rights"
    label = "rights"
    verbose_name = _("Access rights")

    def ready(self) -> None:
        """The register shows itself on the pages of the apps below it, through their registries: a
        CI's access rights on the CI page, a person's on the person's page."""
        from beheer.accounts import extensions as accounts_extensions
        from beheer.cmdb import extensions as cmdb_extensions

        from .sections import ci_section, person_section

        cmdb_extensions.register_page_section(
            cmdb_extensions.PageSection("rights.access_rights", ci_section, order=60)
        )
        accounts_extensions.register_person_section(
            accounts_extensions.PersonSection("rights.access_rights", person_section)
        )
