"""The servicedesk API, mounted under /api/v1/ by beheer/api.py: meldingen, what hangs under them,
the configuration lists, suggestions and, under /sla/, the service-level configuration."""

from ninja import Router

from . import children, lookups, meldingen, sla, suggestions

router = Router()
router.add_router("/", meldingen.router)
router.add_router("/", children.router)
router.add_router("/", lookups.router)
router.add_router("/", suggestions.router)
router.add_router("/sla", sla.router)
