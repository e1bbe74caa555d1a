"""The reliability and security suite (spec §12)."""
