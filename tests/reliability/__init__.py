"""The reliability and security suite (README "Reliability suite")."""
