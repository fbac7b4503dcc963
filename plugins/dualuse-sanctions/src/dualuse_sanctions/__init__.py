"""Sanctions and watch-list connectors for dualuse."""
