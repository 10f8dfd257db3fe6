# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .crm_support_routing_rule import PRIORITIES


class CrmSupportSlaPolicy(models.Model):
    _name = "crm.support.sla.policy"
    # intake reads the policies through a cache (_compiled_policies)
    _inherit = ["crm.support.cached.mixin"]
    _description = "Service Level Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10, help="The first policy that matches a ticket applies.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, default=lambda self: self.env.company)
    priority = fields.Selection(selection=PRIORITIES, help="Empty: every priority.")
    category_ids = fields.Many2many(comodel_name="crm.support.category", string="Categories")
    franchise_ids = fields.Many2many(comodel_name="crm.franchise", string="Franchises")
    response_hours = fields.Float(
        string="First Response (h)", required=True, default=2.0, help="Working hours of the franchise."
    )
    resolution_hours = fields.Float(
        string="Resolution (h)", required=True, default=16.0, help="Working hours of the franchise."
    )
    at_risk_minutes = fields.Integer(default=30, help="A ticket is at risk this many minutes before a deadline.")
    level_ids = fields.One2many(
        comodel_name="crm.support.escalation.level", inverse_name="policy_id", string="Escalation Ladder"
    )

    _sql_constraints = [
        ("targets_positive", "CHECK(response_hours > 0 AND resolution_hours > 0)", "Targets must be positive."),
    ]

    @api.constrains("response_hours", "resolution_hours")
    def _check_targets(self):
        for policy in self:
            if policy.response_hours > policy.resolution_hours:
                raise ValidationError(self.env._("The first response cannot come after the resolution."))

    @api.model
    @tools.ormcache()
    def _compiled_policies(self):
        """Active policies in order as plain tuples (cached): (id, company id, priority, category ids,
        franchise ids, response hours, resolution hours, earliest offset of the resolution levels and of
        the first-response levels, each or None)."""
        return tuple(
            (
                policy.id,
                policy.company_id.id,
                policy.priority or "",
                frozenset(policy.category_ids.ids),
                frozenset(policy.franchise_ids.ids),
                policy.response_hours,
                policy.resolution_hours,
                min(
                    policy.level_ids.filtered(lambda level: level.trigger == "resolution").mapped("offset_minutes"),
                    default=None,
                ),
                min(
                    policy.level_ids.filtered(lambda level: level.trigger == "response").mapped("offset_minutes"),
                    default=None,
                ),
            )
            for policy in self.sudo().with_context(active_test=True).search([])
        )

    @api.model
    def _policy_for(self, company_id, priority, category_id, franchise_id):
        """The row (see _compiled_policies) of the first policy of the company that applies to a ticket
        of this priority, category and franchise, or None."""
        return next(
            (
                row
                for row in self._compiled_policies()
                if row[1] == company_id
                and (not row[2] or row[2] == priority)
                and (not row[3] or category_id in row[3])
                and (not row[4] or franchise_id in row[4])
            ),
            None,
        )
