"""Behaviour of the pages: importing this package registers every @callback."""

from callbacks import login  # noqa: F401
