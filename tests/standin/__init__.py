"""Tests of the local sipgate stand-in (standin/)."""
