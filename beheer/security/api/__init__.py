"""The security API (/api/v1/security): one router per area, mounted by beheer/api.py."""
