"""Security and privacy: the control catalogue, measures, risks, incidents, breaches and the AVG."""

from .catalogue import Catalogue, CatalogueKind, Control, Theme, sort_key

__all__ = ["Catalogue", "CatalogueKind", "Control", "Theme", "sort_key"]
