"""Every write of the CMDB (house rule 1): items, relations, types and attributes."""

from .imports import ImportReport, RowResult, run_import
from .items import ItemData, attribute_texts, create_item, delete_item, lock_item, update_item, value_text
from .relations import add_relation, remove_relation
from .types import AttributeData, TypeData, delete_attribute, delete_type, save_attribute, save_type

__all__ = [
    "AttributeData",
    "ImportReport",
    "ItemData",
    "RowResult",
    "TypeData",
    "add_relation",
    "attribute_texts",
    "create_item",
    "delete_attribute",
    "delete_item",
    "delete_type",
    "lock_item",
    "remove_relation",
    "run_import",
    "save_attribute",
    "save_type",
    "update_item",
    "value_text",
]
