"""Choosing and reading a clinic's protocol file (the app-layer half of the engine).

The pure core (``keel.clinical.protocol``) parses text it is given; reading
files and choosing which protocol a clinic uses happens here
(ARCHITECTURE.md, "Protocol files").

For now every clinic uses the shipped ``keel-default`` protocol. Clinics will
get their own protocol versions (a copy of the default with the medical
director's parameter values and reviewed rules, stored with who changed what
and when, REFERENCE.md section 10); :func:`protocol_for_clinic` is the single
place that choice will be made.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keel.clinical.protocol.protocols as shipped_protocols
from keel.clinical.protocol import Protocol, ProtocolError, load_protocol
from keel.clinical.protocol.floors import check_floors
from keel.clinical.protocol.protocols import DEFAULT_PROTOCOL_FILE

_cache_lock = threading.Lock()
_cache: dict[Path, tuple[int, Protocol]] = {}
_clinic_protocols: dict[int, Protocol] = {}


def default_protocol_path() -> Path:
    """Return the path of the shipped ``keel-default`` protocol file."""
    return Path(shipped_protocols.__file__).resolve().parent / DEFAULT_PROTOCOL_FILE


def load_protocol_file(path: Path | str) -> Protocol:
    """Read and validate the protocol file at ``path`` (UTF-8 YAML).

    Raises ``ProtocolError`` (a ``ValueError``) naming the rule on any
    problem, including a protocol that loosens a safety floor
    (``keel.clinical.protocol.floors``), and ``OSError`` when the file cannot
    be read.
    """
    protocol = load_protocol(Path(path).read_text(encoding="utf-8"))
    violations = check_floors(protocol)
    if violations:
        raise ProtocolError("; ".join(str(violation) for violation in violations))
    return protocol


def protocol_for_clinic(clinic_id: int | None) -> Protocol:
    """Return the protocol that governs ``clinic_id``.

    Today this is the shipped default for every clinic (tests may substitute one
    with :func:`clinic_protocol_substituted`). The parsed protocol
    is cached per process, keyed by the file's modification time, so an
    edited file is re-read on the next call; the cache holds no state that
    matters across requests or processes.
    """
    substitute = _clinic_protocols.get(clinic_id) if clinic_id is not None else None
    if substitute is not None:
        return substitute
    return _cached(default_protocol_path())


@contextmanager
def clinic_protocol_substituted(clinic_id: int, protocol: Protocol) -> Iterator[Protocol]:
    """Inside the block, ``protocol_for_clinic(clinic_id)`` returns ``protocol``.

    For tests that need a clinic whose parameter values differ from keel-default
    (build ``protocol`` with ``load_protocol`` from edited text), until clinics
    have their own stored protocol versions. Only that clinic is affected.
    """
    with _cache_lock:
        previous = _clinic_protocols.get(clinic_id)
        _clinic_protocols[clinic_id] = protocol
    try:
        yield protocol
    finally:
        with _cache_lock:
            if previous is None:
                _clinic_protocols.pop(clinic_id, None)
            else:
                _clinic_protocols[clinic_id] = previous


def _cached(path: Path) -> Protocol:
    mtime = path.stat().st_mtime_ns
    with _cache_lock:
        entry = _cache.get(path)
        if entry is not None and entry[0] == mtime:
            return entry[1]
    protocol = load_protocol_file(path)
    with _cache_lock:
        _cache[path] = (mtime, protocol)
    return protocol
