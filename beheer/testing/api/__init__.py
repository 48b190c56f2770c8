"""The testing API under /api/v1/testing (staff) and /api/v1/portal/acceptance (invited users and
clients): one module per subject, each with its own router, mounted by `beheer.api`."""
