"""Behaviour of the pages: importing this package registers every @callback."""
