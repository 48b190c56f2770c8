"""The reports API: mounted under /api/v1/reports/ by beheer/api.py."""

from ninja import Router

from .dashboard import router as dashboard_router
from .reports import router as reports_router
from .sla_check import router as sla_check_router

router = Router(tags=["reports"])
router.add_router("/", dashboard_router)
router.add_router("/", reports_router)
router.add_router("/", sla_check_router)
