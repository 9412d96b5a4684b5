"""Ordos S&T innovation report: data, analysis and book pipeline."""
