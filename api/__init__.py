"""The JSON API and Open311 GeoReport v2."""
