"""Beheer: IT service management for ICT-beheerders."""

__version__ = "0.1.0"
