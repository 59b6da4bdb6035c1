"""Adapters that turn activity files and exports into the project's own records."""
