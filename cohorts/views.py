"""Cohort pages (filled in below as the feature grows)."""
