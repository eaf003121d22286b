"""Treatment routes: how ketamine is given in a session.

The values are the stable text the treatment app stores on a course and
the protocol reads as the ``route`` fact (REFERENCE.md §2):

- ``iv_racemic_ketamine``: racemic ketamine by intravenous infusion,
  off-label; 0.5 mg/kg over 40 min in the bipolar RCTs (§2.1).
- ``intranasal_esketamine``: esketamine nasal spray (Spravato), fixed doses
  of 28 mg devices under the label and REMS (§2.2, §2.3).
- ``im_racemic_ketamine``: racemic ketamine by intramuscular injection.
  REFERENCE.md gives no IM dose, maximum or monitoring schedule; the session
  helpers treat it as documented in docs/clinical/protocol.md ("Judgement
  calls").
"""

from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    """How the dose is given; compares equal to the stored text."""

    IV_RACEMIC_KETAMINE = "iv_racemic_ketamine"
    INTRANASAL_ESKETAMINE = "intranasal_esketamine"
    IM_RACEMIC_KETAMINE = "im_racemic_ketamine"
