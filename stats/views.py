"""National statistics pages."""
