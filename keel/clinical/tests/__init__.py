"""Plain pytest tests for the clinical core (no Django, no database)."""
