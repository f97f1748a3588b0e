"""Photos: where their files are kept, and how uploads are checked and re-encoded."""
