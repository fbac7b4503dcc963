"""Seeded synthetic data: trade flows, shipments with planted chains, and the demo scenario."""
