"""/api/v1/inventory: the controlled-substance ledger."""

from __future__ import annotations

from ninja import Router

router = Router()
