"""Every write of the security app, one module or package per area (measures, risks, incidents, privacy)."""
