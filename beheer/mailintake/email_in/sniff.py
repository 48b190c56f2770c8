"""Moved to beheer.core.sniff (the knowledge attachments sniff too); kept for existing imports."""

from beheer.core.sniff import OCTET_STREAM, canonical, is_mismatch, sniff

__all__ = ["OCTET_STREAM", "canonical", "is_mismatch", "sniff"]
