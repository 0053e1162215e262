"""Carevia: a home-care services marketplace."""
