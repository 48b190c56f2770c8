from django.urls import path

from .views import contracts, imports, items, licence_files, licences, network, tables, types

urlpatterns = [
    path("", items.item_list, name="cmdb-items"),
    path("new/", items.item_create, name="cmdb-item-create"),
    path("<int:pk>/", items.item_detail, name="cmdb-item"),
    path("<int:pk>/edit/", items.item_edit, name="cmdb-item-edit"),
    path("<int:pk>/delete/", items.item_delete, name="cmdb-item-delete"),
    path("<int:pk>/history/", items.item_history, name="cmdb-item-history"),
    path("<int:pk>/relations/add/", items.relation_add, name="cmdb-relation-add"),
    path("<int:pk>/relations/<int:relation_pk>/remove/", items.relation_remove, name="cmdb-relation-remove"),
    path("types/", types.type_list, name="cmdb-types"),
    path("types/new/", types.type_edit, name="cmdb-type-create"),
    path("types/<int:pk>/", types.type_edit, name="cmdb-type-edit"),
    path("types/<int:pk>/delete/", types.type_delete, name="cmdb-type-delete"),
    path("types/<int:pk>/attributes/new/", types.attribute_edit, name="cmdb-attribute-create"),
    path("types/<int:pk>/attributes/<int:attribute_pk>/", types.attribute_edit, name="cmdb-attribute-edit"),
    path(
        "types/<int:pk>/attributes/<int:attribute_pk>/delete/",
        types.attribute_delete,
        name="cmdb-attribute-delete",
    ),
    # import and export
    path("import/", imports.import_start, name="cmdb-import"),
    path("import/<int:pk>/", imports.import_job, name="cmdb-import-job"),
    path("import/<int:pk>/progress/", imports.import_job_progress, name="cmdb-import-job-progress"),
    path("import/<int:pk>/confirm/", imports.import_job_confirm, name="cmdb-import-job-confirm"),
    path("export.csv", imports.export_csv, name="cmdb-export-csv"),
    path("export.xlsx", imports.export_xlsx, name="cmdb-export-xlsx"),
    # the network
    path("<int:pk>/interfaces/new/", network.interface_add, name="cmdb-item-interface-add"),
    path("network/interfaces/<int:pk>/", network.interface_detail, name="cmdb-network-interface"),
    path("network/interfaces/<int:pk>/edit/", network.interface_edit, name="cmdb-network-interface-edit"),
    path(
        "network/interfaces/<int:pk>/remove/", network.interface_remove, name="cmdb-network-interface-remove"
    ),
    path(
        "network/interfaces/<int:pk>/connect/",
        network.interface_connect,
        name="cmdb-network-interface-connect",
    ),
    path("network/links/<int:pk>/remove/", network.link_remove, name="cmdb-network-link-remove"),
    path("network/vlans/", network.vlan_list, name="cmdb-network-vlans"),
    path("network/vlans/new/", network.vlan_edit, name="cmdb-network-vlan-create"),
    path("network/vlans/<int:pk>/", network.vlan_edit, name="cmdb-network-vlan-edit"),
    path("network/vlans/<int:pk>/remove/", network.vlan_remove, name="cmdb-network-vlan-remove"),
    path("network/prefixes/", network.prefix_list, name="cmdb-network-prefixes"),
    path("network/prefixes/new/", network.prefix_edit, name="cmdb-network-prefix-create"),
    path("network/prefixes/<int:pk>/", network.prefix_detail, name="cmdb-network-prefix"),
    path("network/prefixes/<int:pk>/edit/", network.prefix_edit, name="cmdb-network-prefix-edit"),
    path("network/prefixes/<int:pk>/remove/", network.prefix_remove, name="cmdb-network-prefix-remove"),
    path("network/prefixes/<int:pk>/addresses/add/", network.address_add, name="cmdb-network-address-add"),
    path("network/addresses/<int:pk>/remove/", network.address_remove, name="cmdb-network-address-remove"),
    # licences and contracts
    path("licences/", licences.licence_list, name="cmdb-licences"),
    path("licences/new/", licences.licence_edit, name="cmdb-licence-create"),
    path("licences/<int:pk>/", licences.licence_detail, name="cmdb-licence"),
    path("licences/<int:pk>/edit/", licences.licence_edit, name="cmdb-licence-edit"),
    path("licences/<int:pk>/delete/", licences.licence_delete, name="cmdb-licence-delete"),
    path("licences/<int:pk>/assignments/add/", licences.assignment_add, name="cmdb-licence-assign"),
    path(
        "licences/<int:pk>/assignments/<int:assignment_pk>/remove/",
        licences.assignment_remove,
        name="cmdb-licence-unassign",
    ),
    path("licences/<int:pk>/files/upload/", licence_files.file_upload, name="cmdb-licence-file-upload"),
    path("licences/files/<int:pk>/download/", licence_files.file_download, name="cmdb-licence-file-download"),
    path("licences/files/<int:pk>/delete/", licence_files.file_delete, name="cmdb-licence-file-delete"),
    path("contracts/", contracts.contract_list, name="cmdb-contracts"),
    path("contracts/new/", contracts.contract_edit, name="cmdb-contract-create"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="cmdb-contract"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit, name="cmdb-contract-edit"),
    path("contracts/<int:pk>/delete/", contracts.contract_delete, name="cmdb-contract-delete"),
    # the other lists' downloads
    *(
        path(f"{prefix}export.{fmt}", view, name=f"cmdb-{table}-export-{fmt}")
        for table, prefix in (
            ("licences", "licences/"),
            ("contracts", "contracts/"),
            ("vlans", "network/vlans/"),
            ("prefixes", "network/prefixes/"),
            ("addresses", "network/addresses/"),
        )
        for fmt, view in zip(("csv", "xlsx"), tables.routes(table), strict=True)
    ),
]
