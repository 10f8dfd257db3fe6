# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Set-based erasure (GDPR Art. 17): scrub a customer's identifiers from every text column of
every table. The ORM cannot reach every copy (queued SMS and e-mails, tracking values, stored API
responses, logs, columns of modules installed later), so this is the one raw-SQL path of the
erasure; res.partner._vrm_anonymize calls it after its ORM part and invalidates the cache."""

import html
import json
import logging
import re
from urllib.parse import quote

from psycopg2 import sql

try:
    import phonenumbers
except ImportError:  # pragma: no cover - phone_validation requires it
    phonenumbers = None

_logger = logging.getLogger(__name__)

REPLACEMENT = "[erased]"
# shorter identifiers would match unrelated text (a 4-letter first name, a house number)
MIN_LENGTH = 5
# what may stand between the digits of a phone number as people, HTML and systems write it
PHONE_SEP = r"(?:[-\s.()/\u00a0]|&nbsp;){0,3}"
TEXT_TYPES = ("text", "character varying", "jsonb")


def _literal(text):
    """A PostgreSQL ARE matching text literally, any run of white space as any white space."""
    parts = []
    for char in text:
        if char.isspace():
            if not parts or parts[-1] != r"[\s\u00a0]+":
                parts.append(r"[\s\u00a0]+")
        elif char.isalnum():
            parts.append(char)
        else:
            # in an ARE a backslash before a non-alphanumeric character stands for that character
            parts.append("\\" + char)
    return "".join(parts)


def _variants(text):
    """The forms a value takes when stored: as typed, HTML-escaped, JSON-escaped (with and
    without ASCII escapes, as json.dumps writes stored API responses), URL-encoded."""
    forms = {
        text,
        html.escape(text, quote=True),
        html.escape(text, quote=False),
        json.dumps(text, ensure_ascii=False)[1:-1],
        json.dumps(text)[1:-1],
        quote(text, safe=" "),
    }
    return sorted(forms, key=len, reverse=True)


def email_pattern(email):
    """ARE matching one e-mail address in any case, not inside a longer address."""
    alternatives = "|".join(_literal(v) for v in _variants(email.strip()))
    return rf"(?<![[:alnum:]._%+-])(?:{alternatives})(?![[:alnum:]_-]|\.[[:alnum:]])"


def text_pattern(text):
    """ARE matching a name or street as a whole (not inside a longer word)."""
    alternatives = "|".join(_literal(v) for v in _variants(" ".join(text.split())))
    return rf"(?<![[:alnum:]])(?:{alternatives})(?![[:alnum:]])"


def phone_pattern(number, region=None):
    """ARE matching a phone number in its stored forms: E.164 (+447911123412), international
    with spaces (+44 7911 123412), 0044..., national with its trunk prefix (07911 123412) and the
    bare national number, with any separators between the digits; None when it has fewer than
    MIN_LENGTH digits."""
    digits = re.sub(r"\D", "", number)
    country, national, trunk = "", digits, ""
    if phonenumbers is not None:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None and parsed.national_number:
            country = str(parsed.country_code)
            national = phonenumbers.national_significant_number(parsed)
            formatted = re.sub(r"\D", "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
            trunk = formatted[: -len(national)] if formatted.endswith(national) else ""
    if len(national) < MIN_LENGTH:
        return None
    prefixes = []
    if country:
        prefixes.append(rf"(?:\+|00)?{PHONE_SEP}{country}{PHONE_SEP}(?:\(0\){PHONE_SEP})?")
    if trunk:
        prefixes.append(f"{trunk}{PHONE_SEP}")
    body = PHONE_SEP.join(national)
    prefix = f"(?:{'|'.join(prefixes)})?" if prefixes else ""
    return rf"(?<![[:digit:]]){prefix}{body}(?![[:digit:]])"


def patterns(emails=(), phones=(), texts=(), region=None):
    """The ARE patterns of a customer's identifiers, skipping those shorter than MIN_LENGTH."""
    result = []
    for email in sorted({e.strip().lower() for e in emails if e and len(e.strip()) >= MIN_LENGTH}):
        result.append(email_pattern(email))
    for number in sorted({p.strip() for p in phones if p}):
        pattern = phone_pattern(number, region)
        if pattern and pattern not in result:
            result.append(pattern)
    for text in sorted({" ".join(t.split()) for t in texts if t and len(t.strip()) >= MIN_LENGTH}):
        result.append(text_pattern(text))
    return result


def text_columns(cr):
    """{table: [(column, data type, maximum length)]} of every text, varchar and jsonb column of
    every table of the current schema (html fields are text columns)."""
    cr.execute(
        """
        SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema()
           AND t.table_type = 'BASE TABLE'
           AND c.is_generated = 'NEVER'
           AND c.data_type IN %s
         ORDER BY c.table_name, c.ordinal_position
        """,
        [TEXT_TYPES],
    )
    tables = {}
    for table, column, data_type, max_length in cr.fetchall():
        tables.setdefault(table, []).append((column, data_type, max_length))
    return tables


def scrub(cr, identifier_patterns, replacement=REPLACEMENT):
    """Replace every match of the patterns in every text column of every table: one UPDATE
    per table, touching only its matching rows. Returns {table: rows changed}."""
    if not identifier_patterns:
        return {}
    params = {"pattern": "|".join(f"(?:{p})" for p in identifier_patterns), "replacement": replacement}
    changed = {}
    for table, columns in text_columns(cr).items():
        matches, assignments = [], []
        for column, data_type, max_length in columns:
            ident = sql.Identifier(column)
            as_text = sql.SQL("{}::text").format(ident) if data_type == "jsonb" else ident
            match = sql.SQL("{} ~* %(pattern)s").format(as_text)
            new = sql.SQL("regexp_replace({}, %(pattern)s, %(replacement)s, 'gi')").format(as_text)
            if max_length:
                new = sql.SQL("left({}, {})").format(new, sql.Literal(max_length))
            if data_type == "jsonb":
                # the text form of jsonb escapes quotes and backslashes, which the identifiers'
                # JSON-escaped variants match, so the replaced text is still valid JSON
                new = sql.SQL("({})::jsonb").format(new)
            matches.append(match)
            assignments.append(sql.SQL("{} = CASE WHEN {} THEN {} ELSE {} END").format(ident, match, new, ident))
        cr.execute(
            sql.SQL("UPDATE {} SET {} WHERE {}").format(
                sql.Identifier(table), sql.SQL(", ").join(assignments), sql.SQL(" OR ").join(matches)
            ),
            params,
        )
        if cr.rowcount:
            changed[table] = cr.rowcount
    _logger.info("erasure scrubbed %s rows in %s tables", sum(changed.values()), len(changed))
    return changed
