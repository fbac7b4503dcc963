"""Explore a workspace in the browser: a SQLite database built from it, served with Datasette."""
