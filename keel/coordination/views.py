"""Pages of the coordination app."""
