# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .vrm_consent_event import server_only
from .vrm_recipient import RECIPIENT_TYPES


class VrmPreference(models.Model):
    """One choice of a customer: allow or deny a recipient (or every recipient of a type) to use a
    category of data for a purpose. A recipient-specific row overrides the row of its type."""

    _name = "vrm.preference"
    _description = "Data Sharing Preference"
    _order = "partner_id, recipient_type, recipient_id, purpose_id, category_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(comodel_name="res.partner", required=True, index=True, ondelete="cascade")
    recipient_type = fields.Selection(selection=RECIPIENT_TYPES, required=True)
    recipient_id = fields.Many2one(
        comodel_name="vrm.recipient",
        ondelete="cascade",
        help="Empty: the choice applies to every recipient of the type without its own choice.",
    )
    purpose_id = fields.Many2one(comodel_name="vrm.purpose", required=True, ondelete="cascade")
    category_id = fields.Many2one(comodel_name="vrm.data.category", required=True, ondelete="cascade")
    allowed = fields.Boolean()
    scope = fields.Selection(
        selection=[("type", "Every recipient of the type"), ("recipient", "This recipient")],
        compute="_compute_scope",
    )

    def init(self):
        """Unique choice per scope (a NULL recipient is the type-wide choice)."""
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS vrm_preference_recipient_uniq
                ON vrm_preference (partner_id, recipient_id, purpose_id, category_id)
                WHERE recipient_id IS NOT NULL;
            CREATE UNIQUE INDEX IF NOT EXISTS vrm_preference_type_uniq
                ON vrm_preference (partner_id, recipient_type, purpose_id, category_id)
                WHERE recipient_id IS NULL;
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        """Choices change only with their consent event (res.partner._vrm_set_preference)."""
        server_only(self, self.env._("customers' choices"))
        return super().create(vals_list)

    def write(self, vals):
        """Choices change only with their consent event (res.partner._vrm_set_preference)."""
        server_only(self, self.env._("customers' choices"))
        return super().write(vals)

    def unlink(self):
        """A choice is withdrawn by a new choice (with its event), never deleted."""
        server_only(self, self.env._("customers' choices"))
        return super().unlink()

    @api.depends("recipient_id")
    def _compute_scope(self):
        for pref in self:
            pref.scope = "recipient" if pref.recipient_id else "type"

    @api.constrains("recipient_id", "recipient_type")
    def _check_recipient_type(self):
        for pref in self:
            if pref.recipient_id and pref.recipient_id.recipient_type != pref.recipient_type:
                raise ValidationError(self.env._("A preference's recipient must be of the preference's type."))
