from django.urls import path

from .views import imports, items, network, types

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
    path("import/confirm/", imports.import_confirm, name="cmdb-import-confirm"),
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
]
