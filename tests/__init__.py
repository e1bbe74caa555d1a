"""Tests of the sipgate integration."""
