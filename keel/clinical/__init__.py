"""Keel's pure-Python clinical core: no Django, no database, no I/O.

Scoring of rating instruments, the daily diary record and the default
clinical parameters live here; the Django apps call this package with
plain values and store what it returns.
"""
