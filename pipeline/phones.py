"""Phone numbers compared as E.164 (docs/operations.md#pointing-a-dialer-at-salestrack):
"+1 (415) 555-0100", "415-555-0100" read in the US and "+14155550100" are one number.
Plain functions on strings, with the `phonenumbers` library; no Django."""

import phonenumbers

# Longer text is no phone number (a prospect's phone holds 40 characters).
MAX_LENGTH = 64


def e164(value: str | None, region: str) -> str:
    """`value` as E.164 ("+14155550100"), read in `region` (an ISO 3166 code) when it has no
    country code; an extension is left out. "" when it is not a possible phone number."""
    text = (value or "").strip()
    if not text or len(text) > MAX_LENGTH:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
