"""Page structure: one dash.register_page module per page; shared fragments in _*.py."""
