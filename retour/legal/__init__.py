"""Statutory consumer rules per country (data file + pure engine); see README.md."""
