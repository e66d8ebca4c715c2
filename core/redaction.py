"""Remove personal data from text before it leaves for a language model."""

from __future__ import annotations

import ipaddress
import re

# Order matters: tokens and cards before phone numbers, which would otherwise eat their digits.
# A pattern may start only where a run of its characters starts ((?<!...) rather than \b), so that no
# input (a 40,000-character "a.a.a..." message) makes it rescan the text from every position.
SECRET_WORD = r"\b(password|passwd|pwd|passcode|secret|api[_ -]?key|token)\b"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[CREDENTIALS]", re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)")),  # user:password@ of a URL
    # Not the user of a URL ("postgresql://postgres@db:5432"): that names an account, not a person.
    ("[EMAIL]", re.compile(r"(?<![\w.+-])(?<!://)[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("[TOKEN]", re.compile(r"\b(?:sk|pk|rk|xox[abposr]|xapp|gh[pous]|glpat|AKIA)[-_A-Za-z0-9]{10,}\b")),
    ("[TOKEN]", re.compile(r"\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}", re.IGNORECASE)),
    ("[TOKEN]", re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b")),  # JWT
    ("[SECRET]", re.compile(r"(?i)" + SECRET_WORD + r"\s*[:=]\s*\S+")),
    # "password hunter2", "my password is Tr0ub4dor": a following word with a digit or symbol is the secret;
    # "password expired" stays readable.
    ("[SECRET]", re.compile(
        r"(?i)" + SECRET_WORD + r"(?:\s+(?:is|was))?\s+"
        r"(?=[^\s]*[0-9!@#$%^&*+=~|\\/<>_])\S+"
    )),
    ("[IBAN]", re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b")),
    ("[CARD]", re.compile(r"\b(?:\d[ -]?){12,18}\d\b")),
    ("[IP]", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")),
    # Not right after "09:" or "41." nor right before ":09" or ".5": those digits are a time's or a decimal's.
    ("[PHONE]", re.compile(
        r"(?<![\w-])(?<!\d[:.])\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){2,5}(?![\w-])(?![:.]\d)"
    )),
)


def redact(text: str) -> str:
    """The text with URL credentials, emails, tokens, secrets, IBANs, card and phone numbers replaced."""
    for placeholder, pattern in PATTERNS:
        if placeholder == "[SECRET]":
            text = pattern.sub(lambda m: f"{m.group(1)}: [SECRET]", text)
        elif placeholder == "[CARD]":
            text = pattern.sub(lambda m: "[CARD]" if _luhn(m.group()) else m.group(), text)
        elif placeholder == "[PHONE]":
            text = pattern.sub(lambda m: "[PHONE]" if _phone(m.group()) else m.group(), text)
        elif placeholder == "[IP]":
            text = pattern.sub(lambda m: "[IP]" if _personal_ip(m) else m.group(), text)
        else:
            text = pattern.sub(placeholder, text)
    return text


DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}$")  # "2026-11-23 04" of "2026-11-23 04:35:39"
DECIMAL = re.compile(r"^\d+\.\d+$")  # "299.994744" seconds


def _phone(candidate: str) -> bool:
    # 7 to 15 digits is the E.164 range; dates, decimals and bare numbers other than 10-11 digits are ids,
    # and so is a bare 10-digit number starting with 1: Unix time in seconds (no national plan starts so).
    digits = sum(c.isdigit() for c in candidate)
    bare = candidate.strip().isdigit() and not candidate.startswith("+")
    stamp = DATE.match(candidate.strip()) or TIMESTAMP.match(candidate.strip()) or DECIMAL.match(candidate)
    epoch = bare and digits == 10 and candidate.startswith("1")
    return 7 <= digits <= 15 and not stamp and not epoch and not (bare and not 10 <= digits <= 11)


def _personal_ip(match: re.Match[str]) -> bool:
    # A public address can point at a person's connection; loopback, private and unspecified addresses,
    # and the host of a URL (a bind address, a server), are the deployment's own.
    try:
        address = ipaddress.ip_address(match.group())
    except ValueError:
        return False  # 999.1.2.3 is a version or an id, not an address
    before = match.string[max(0, match.start() - 3):match.start()]
    return address.is_global and not before.endswith(("://", "@"))


def _luhn(candidate: str) -> bool:
    # Only numbers that pass the card checksum are cards; order numbers and dates stay readable. Card
    # networks start with 2 to 6: a 13-digit id starting with 1 (Unix time in milliseconds) is no card.
    digits = [int(c) for c in candidate if c.isdigit()]
    if not 13 <= len(digits) <= 19 or not 2 <= digits[0] <= 6:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
