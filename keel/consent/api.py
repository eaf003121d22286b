"""/api/v1/ operations of the consent app."""

from __future__ import annotations

from ninja import Router

router = Router()
