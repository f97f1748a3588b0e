"""Forwarding reports to other jurisdictions' own systems: doors (one class per protocol) and their worker."""
