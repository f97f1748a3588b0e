"""Behaviour of the pages: importing this package registers every @callback."""

from callbacks import (  # noqa: F401  # noqa: F401
    complaint,
    doors,
    field,
    intake,
    lacak,
    lapor,
    live,
    login,
    operator,
    outbox,
    pimpinan,
    statistik,
    templates,
)
