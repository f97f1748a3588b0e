"""Geometry: boundary files, status colours and map figures, as plain typed functions."""
