# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

import pytz

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

from .crm_franchise_area import parse_zip_patterns, zip_matches

CHANNELS = [
    ("backend", "Backend"),
    ("portal", "Customer portal"),
    ("public", "Public web form"),
    ("email", "E-mail"),
    ("api", "API"),
]
PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")]


class CrmSupportRoutingRule(models.Model):
    _name = "crm.support.routing.rule"
    _inherit = ["crm.support.cached.mixin"]
    # the "test this rule" preview changes nothing the routing reads
    _cache_neutral_fields = frozenset({"sample_ticket_id", "test_result"})
    _description = "Service Request Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10, help="Rules are tried in this order; the first match wins.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, default=lambda self: self.env.company)
    # Conditions: an empty condition matches everything.
    category_ids = fields.Many2many(comodel_name="crm.support.category", string="Categories")
    product_keyword = fields.Char(help="Matches when the product or asset contains this text.")
    country_ids = fields.Many2many(comodel_name="res.country", string="Countries")
    state_ids = fields.Many2many(comodel_name="res.country.state", string="States")
    zip_patterns = fields.Text(string="Postcodes", help="e.g. 'SW1*, 8001-8099, EC1A 1BB'.")
    min_priority = fields.Selection(selection=PRIORITIES, string="Minimum Priority")
    channel = fields.Selection(selection=CHANNELS, help="Empty: every channel.")
    hour_from = fields.Float(string="From Hour", help="Time of day in the rule's time zone.")
    hour_to = fields.Float(string="To Hour", help="0 to 0 means the whole day.")
    tz = fields.Selection(selection="_tz_get", string="Time Zone", default=lambda self: self.env.user.tz or "UTC")
    partner_domain = fields.Char(
        string="Customer Filter", default="[]", help="Domain on the customer, e.g. loyalty tier."
    )
    # Target
    target = fields.Selection(
        selection=[
            ("area", "Franchise whose service area contains the postcode"),
            ("franchise", "A given franchise"),
            ("triage", "Head-office triage"),
        ],
        required=True,
        default="area",
    )
    franchise_id = fields.Many2one(comodel_name="crm.franchise")
    area_tie_break = fields.Selection(
        selection=[
            ("priority", "Franchise's area priority"),
            ("load", "Fewest open requests (balance the load)"),
        ],
        string="Overlapping Areas",
        required=True,
        default="priority",
        help="The most specific service area wins (exact postcode, then range, then the longest prefix); "
        "between franchises covering the postcode equally precisely, this decides.",
    )
    strategy = fields.Selection(
        selection=[
            ("chain", "Previous servicer, then skill, then least open, then round robin"),
            ("least_open", "Least open tickets"),
            ("round_robin", "Round robin"),
        ],
        required=True,
        default="chain",
    )
    require_on_duty = fields.Boolean(
        string="Only People On Duty",
        default=True,
        help="Skip people outside their working hours; people on leave are always skipped.",
    )
    accept_minutes = fields.Integer(
        string="Acceptance Time (min)",
        default=15,
        help="If the person does not accept in time, the next candidate gets the ticket.",
    )
    sample_ticket_id = fields.Many2one(comodel_name="crm.support.ticket", help="Used by 'Test this rule'.")
    test_result = fields.Text(readonly=True)

    @api.model
    def _tz_get(self):
        return [(tz, tz) for tz in sorted(pytz.all_timezones, key=lambda tz: tz if not tz.startswith("Etc/") else "_")]

    @api.constrains("target", "franchise_id", "zip_patterns", "partner_domain", "hour_from", "hour_to")
    def _check_rule(self):
        for rule in self:
            if rule.target == "franchise" and not rule.franchise_id:
                raise ValidationError(self.env._("Rule '%s' targets a given franchise: choose it.", rule.name))
            try:
                parse_zip_patterns(rule.zip_patterns)
                domain = safe_eval(rule.partner_domain or "[]")
                self.env["res.partner"]._where_calc(domain)
            except Exception as exc:
                raise ValidationError(
                    self.env._(
                        "Rule '%(rule)s' has an invalid postcode list or customer filter: %(error)s",
                        rule=rule.name,
                        error=exc,
                    )
                ) from exc
            if not (0 <= rule.hour_from <= 24 and 0 <= rule.hour_to <= 24):
                raise ValidationError(self.env._("Hours must be between 0 and 24."))

    @api.model
    @tools.ormcache("company_id")
    def _compiled_rules(self, company_id):
        """Active rules of the company in order as plain tuples, and per category the positions of the
        rules that can match it (cached): a ticket visits only the rules of its category."""
        rules = self.sudo().search([("company_id", "=", company_id)])
        compiled = tuple(
            (
                rule.id,
                rule.name,
                frozenset(rule.category_ids.ids),
                (rule.product_keyword or "").lower(),
                frozenset(rule.country_ids.ids),
                frozenset(rule.state_ids.ids),
                tuple(parse_zip_patterns(rule.zip_patterns)),
                rule.min_priority or "",
                rule.channel or "",
            )
            for rule in rules
        )
        wildcard = tuple(pos for pos, rule in enumerate(compiled) if not rule[2])
        by_category = {}
        for pos, rule in enumerate(compiled):
            for category_id in rule[2]:
                by_category.setdefault(category_id, []).append(pos)
        by_category = {key: tuple(sorted(set(positions) | set(wildcard))) for key, positions in by_category.items()}
        return compiled, by_category, wildcard

    @api.model
    def _precheck(self, compiled, ticket_values):  # noqa: PLR0911 - one early return per condition, kept flat for speed
        """Reason why a compiled rule cannot match the ticket values, or None (time and customer later)."""
        __, __, categories, keyword, countries, states, patterns, min_priority, channel = compiled
        category, product, country, state, zip_code, priority, ticket_channel = ticket_values
        if categories and category not in categories:
            return "category"
        if keyword and keyword not in product:
            return "product"
        if countries and country not in countries:
            return "country"
        if states and state not in states:
            return "state"
        if patterns and not zip_matches(patterns, zip_code, normalized=True):
            return "postcode"
        if min_priority and priority < min_priority:
            return "priority"
        if channel and channel != ticket_channel:
            return "channel"
        return None

    def _matches(self, ticket, now=None, prechecked=False):
        """Return (matched, reason) for this rule against a ticket.

        prechecked: the conditions of _precheck already passed (on the cached rule), only the time of
        day and the customer filter are left.
        """
        self.ensure_one()
        checks = (
            []
            if prechecked
            else [
                (
                    self.category_ids and ticket.category_id not in self.category_ids,
                    lambda: self.env._("category %s not in the rule", ticket.category_id.name or "-"),
                ),
                (
                    self.product_keyword and self.product_keyword.lower() not in (ticket.product_name or "").lower(),
                    lambda: self.env._("product does not contain '%s'", self.product_keyword),
                ),
                (
                    self.country_ids and ticket.country_id not in self.country_ids,
                    lambda: self.env._("country %s not in the rule", ticket.country_id.name or "-"),
                ),
                (
                    self.state_ids and ticket.state_id not in self.state_ids,
                    lambda: self.env._("state %s not in the rule", ticket.state_id.name or "-"),
                ),
                (
                    self.zip_patterns and not zip_matches(parse_zip_patterns(self.zip_patterns), ticket.zip),
                    lambda: self.env._("postcode %s not in the rule", ticket.zip or "-"),
                ),
                (
                    self.min_priority and (ticket.priority or "0") < self.min_priority,
                    lambda: self.env._("priority below the rule's minimum"),
                ),
                (self.channel and ticket.channel != self.channel, lambda: self.env._("channel %s", ticket.channel)),
            ]
        )
        checks += [
            (not self._matches_time(now or fields.Datetime.now()), lambda: self.env._("outside the rule's hours")),
            (not self._matches_partner(ticket.partner_id), lambda: self.env._("customer does not match the filter")),
        ]
        for failed, reason in checks:
            if failed:
                return False, reason()
        return True, self.env._("matched")

    def _matches_time(self, now):
        if self.hour_from == self.hour_to:
            return True
        local = pytz.utc.localize(now).astimezone(pytz.timezone(self.tz or "UTC"))
        hour = local.hour + local.minute / 60.0
        if self.hour_from < self.hour_to:
            return self.hour_from <= hour < self.hour_to
        return hour >= self.hour_from or hour < self.hour_to

    def _matches_partner(self, partner):
        if (self.partner_domain or "[]").replace(" ", "") == "[]":
            return True
        domain = safe_eval(self.partner_domain)
        if not domain:
            return True
        return bool(partner and partner.sudo().filtered_domain(domain))

    def action_test_rule(self):
        """Preview which franchise and person this rule would choose for the sample ticket."""
        self.ensure_one()
        if not self.sample_ticket_id:
            raise UserError(self.env._("Choose a sample ticket first."))
        decision = self.sample_ticket_id._compute_routing(rules=self, now=datetime.now())
        lines = [decision["reason"]]
        if decision["franchise"]:
            lines.append(self.env._("Franchise: %s", decision["franchise"].name))
        if decision["users"]:
            lines.append(self.env._("Candidates: %s", ", ".join(decision["users"].mapped("name"))))
        lines += decision["log"]
        self.test_result = "\n".join(lines)
        return True
