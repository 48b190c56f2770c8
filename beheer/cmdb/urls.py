from django.urls import path

from .views import imports, items, types

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
]
