"""Tests of the Home-Assistant-free sipgate client."""
