# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_SPLIT = re.compile(r"[,;\n]+")


def normalize_zip(value):
    """Postcode without spaces, upper case: 'sw1a 1aa' -> 'SW1A1AA'."""
    return re.sub(r"\s+", "", value or "").upper()


def parse_zip_patterns(text):
    """Parse 'SW1*, 8001-8099, EC1A1BB' into [('prefix', 'SW1'), ('range', ('8001', '8099')), ...]."""
    patterns = []
    for raw in _SPLIT.split(text or ""):
        token = normalize_zip(raw)
        if not token:
            continue
        if token.endswith("*"):
            if len(token) < 2:
                raise ValueError(token)
            patterns.append(("prefix", token[:-1]))
        elif "-" in token:
            low, high = token.split("-", 1)
            if not low or not high or len(low) != len(high) or low > high:
                raise ValueError(token)
            patterns.append(("range", (low, high)))
        else:
            patterns.append(("exact", token))
    return patterns


def zip_matches(patterns, zip_code, normalized=False):
    """True when the postcode (normalized here unless ``normalized``) matches one of the parsed patterns."""
    code = zip_code if normalized else normalize_zip(zip_code)
    if not code:
        return False
    for kind, value in patterns:
        if kind == "exact" and code == value:
            return True
        if kind == "prefix" and code.startswith(value):
            return True
        if kind == "range":
            low, high = value
            # Ranges compare codes of the range's length: '8001-8099' contains '8050'; a numeric range
            # compares numbers, an alphanumeric one compares the leading characters.
            if low.isdigit() and high.isdigit():
                if code.isdigit() and len(code) == len(low) and int(low) <= int(code) <= int(high):
                    return True
            elif low <= code[: len(low)] <= high:
                return True
    return False


def zip_specificity(patterns, code, has_states=False):
    """How precisely an area covers the normalized postcode, as a sortable key (higher is more specific),
    or None when it does not: an exact postcode (3, length) over a range (2, -width) over a prefix
    (1, length, a longer prefix over a shorter one); an area without postcodes (0, 1 with states, 0 without)."""
    if not patterns:
        return (0, 1 if has_states else 0)
    best = None
    for kind, value in patterns:
        if not zip_matches([(kind, value)], code, normalized=True):
            continue
        if kind == "exact":
            key = (3, len(value))
        elif kind == "prefix":
            key = (1, len(value))
        else:
            low, high = value
            width = int(high) - int(low) if low.isdigit() and high.isdigit() else 0
            key = (2, -width)
        best = key if best is None or key > best else best
    return best


class CrmFranchiseArea(models.Model):
    _name = "crm.franchise.area"
    _inherit = ["crm.support.cached.mixin"]
    _description = "Franchise Service Area"
    _order = "franchise_id, id"

    franchise_id = fields.Many2one(comodel_name="crm.franchise", required=True, ondelete="cascade", index=True)
    country_id = fields.Many2one(comodel_name="res.country")
    state_ids = fields.Many2many(comodel_name="res.country.state", string="States")
    zip_patterns = fields.Text(
        string="Postcodes",
        help="Postcodes, prefixes and ranges separated by commas or new lines, e.g. 'SW1*, EC1A 1BB, 8001-8099'.",
    )

    @api.constrains("franchise_id", "country_id", "state_ids", "zip_patterns")
    def _check_zip_patterns(self):
        for area in self:
            if not (area.country_id or area.state_ids or (area.zip_patterns or "").strip()):
                raise ValidationError(self.env._("A service area needs a country, a state or postcodes."))
            try:
                parse_zip_patterns(area.zip_patterns)
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "'%(pattern)s' is not a valid postcode pattern: use a postcode, a prefix "
                        "ending with * or a range like 8001-8099.",
                        pattern=exc.args[0],
                    )
                ) from exc
