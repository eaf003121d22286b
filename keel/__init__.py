"""Keel: clinic software for a supervised ketamine program in bipolar depression."""
