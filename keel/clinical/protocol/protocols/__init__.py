"""Protocol files shipped with Keel (YAML data, read by the app layer).

This folder is a package only so that the files travel with an installed
Keel; the core never opens them (ARCHITECTURE.md, "Protocol files").
"""

from typing import Final

DEFAULT_PROTOCOL_FILE: Final = "keel-default.yaml"
"""File name of the protocol every clinic starts from."""
