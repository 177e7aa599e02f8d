"""The service layer: plain functions taking the database session first. No Flask request, no rendering."""
