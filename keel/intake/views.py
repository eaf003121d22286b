"""Pages of the intake app."""
