"""Dashboard, exports and outbox pages: thin adapters over triage.dashboard, triage.exports and triage.outbox."""
