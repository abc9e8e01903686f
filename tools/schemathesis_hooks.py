"""Schemathesis hooks for palermo's API checks; `.ci/run` loads them through SCHEMATHESIS_HOOKS.

Schemathesis has no serializer for `application/vnd.sdmx.data+csv` (the batch import's SDMX-CSV
body), so it cannot send that representation at all. The body is a UTF-8 text file: whatever was
generated goes as UTF-8 text (bytes decoded with replacement, anything else as its string form),
so a schema-valid body is always well-formed UTF-8 and the server answers it by its content.
"""

import schemathesis

SDMX = "application/vnd.sdmx.data+csv"


@schemathesis.serializer(SDMX, f"{SDMX}; version=2.0.0")
def sdmx_csv(ctx, value):
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", errors="replace")
    else:
        text = value if isinstance(value, str) else str(value)
    return text.encode("utf-8", errors="replace")
