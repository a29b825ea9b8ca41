"""Quotes and reports: choosing, rendering and citing coded passages for the paper."""
