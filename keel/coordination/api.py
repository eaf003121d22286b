"""/api/v1/ operations of the coordination app."""

from __future__ import annotations

from ninja import Router

router = Router()
