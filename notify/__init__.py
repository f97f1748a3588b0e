"""Telling reporters what happens to their report: who gets what (channels), the text (messages), delivery (worker)."""
