# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmLoyaltyTier(models.Model):
    _name = "crm.loyalty.tier"
    _description = "Loyalty Tier"
    _order = "program_id, sequence, qualify_points, id"

    program_id = fields.Many2one(comodel_name="loyalty.program", required=True, ondelete="cascade", index=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Tiers rank from the lowest sequence (entry tier) to the highest.")
    qualify_points = fields.Float(
        string="Qualification threshold", help="Tier points to earn within the qualification period to reach it."
    )
    retain_points = fields.Float(
        string="Retention threshold", help="Tier points to earn within a period to keep the tier at the review."
    )
    earn_multiplier = fields.Float(default=1.0, help="Spendable points of every award are multiplied by it.")
    color = fields.Char(string="Badge colour", default="#1f3b73")
    invitation_only = fields.Boolean(help="Never reached by points: a manager sets it with a reason.")
    active = fields.Boolean(default=True)
    member_count = fields.Integer(compute="_compute_member_count")

    _sql_constraints = [
        ("multiplier_positive", "CHECK(earn_multiplier > 0)", "The earn multiplier must be positive."),
        ("thresholds_positive", "CHECK(qualify_points >= 0 AND retain_points >= 0)", "Thresholds cannot be negative."),
    ]

    def _compute_member_count(self):
        counts = dict(self.env["loyalty.card"]._read_group([("tier_id", "in", self.ids)], ["tier_id"], ["__count"]))
        for tier in self:
            tier.member_count = counts.get(tier, 0)

    @api.constrains("qualify_points", "retain_points")
    def _check_retention(self):
        for tier in self:
            if tier.retain_points > tier.qualify_points:
                raise ValidationError(
                    self.env._(
                        "The retention threshold of %(tier)s cannot exceed its qualification threshold.", tier=tier.name
                    )
                )

    def _crm_lower(self):
        """The tier one step below this one among the tiers reached by points (empty for the entry tier)."""
        self.ensure_one()
        ladder = self.program_id._crm_ladder()
        lower = ladder.filtered(
            lambda t: (t.sequence, t.qualify_points, t.id) < (self.sequence, self.qualify_points, self.id)
        )
        return lower[-1:] if lower else self.browse()

    def _crm_higher(self):
        """The next tier above this one that points can reach (empty at the top)."""
        self.ensure_one()
        ladder = self.program_id._crm_ladder()
        higher = ladder.filtered(
            lambda t: (t.sequence, t.qualify_points, t.id) > (self.sequence, self.qualify_points, self.id)
        )
        return higher[:1]
