"""The knowledge API, mounted under /api/v1/knowledge/ by beheer/api.py: articles with their
versions, attachments and PDFs (`articles`), and change notices and read acknowledgements
(`notices`)."""

from .articles import router
from .designs import router as designs_router
from .notices import router as notices_router

# The notices' routes hang under the articles' router, as they did before the split, so the OpenAPI
# document stays the same (their operations carry the "knowledge" tag of both routers).
router.add_router("", notices_router)
router.add_router("", designs_router)

__all__ = ["router"]
