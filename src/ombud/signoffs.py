"""How customers close a message, in sv, nb, nn, da and en.

Shared by capture (which cuts e-mail signatures off) and understand (which keeps
a signature block together as one sentence).
"""

from __future__ import annotations

import re

# A sign-off word or phrase, optionally followed on the same line by a name of up to four words.
SIGN_OFF = re.compile(
    r"^\s*(mvh|m\.v\.h\.?|med vänlig(a)? hälsning(ar)?|vänliga hälsningar|vänlig hälsning|hälsningar|"
    r"hälsning|med vennlig hilsen|vennlig hilsen|vennlig hilsn|hilsen|hilsn|mvh\.|helsing|"
    r"med venleg helsing|venleg helsing|beste helsing|med venlig hilsen|venlig hilsen|de bedste hilsner|"
    r"bedste hilsner|kh|knus|best regards|kind regards|regards|best wishes|cheers|br|/\w+|"
    r"tack på förhand|takk på forhånd|tak på forhånd|på forhånd takk|thanks in advance)"
    r"[\s,.!:]*(\w[\w.'-]*(\s+\w[\w.'-]*){0,3})?[\s,.!]*$",
    re.IGNORECASE,
)


def is_sign_off(line: str) -> bool:
    return SIGN_OFF.match(line) is not None
