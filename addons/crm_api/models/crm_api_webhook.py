# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmApiWebhook(models.Model):
    """A subscription: signed POSTs of the chosen events to one URL."""

    _name = "crm.api.webhook"
    # who listens to an event is read through ormcache on every business change (_subscribed_webhook_ids)
    _inherit = ["crm.support.cached.mixin"]
    _description = "Webhook subscription"
    _cache_neutral_fields = frozenset({"name", "url", "secret", "user_id"})
    _order = "name, id"

    name = fields.Char(required=True)
    url = fields.Char(string="URL", required=True, help="The receiver; it gets one JSON POST per event.")
    secret = fields.Char(
        required=True,
        copy=False,
        default=lambda self: secrets.token_urlsafe(32),
        help="Shared secret of the HMAC-SHA256 signature (header X-CRM-Signature).",
    )
    event_ids = fields.Many2many(comodel_name="crm.api.webhook.event", string="Events", required=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        comodel_name="res.users", string="Owner", default=lambda self: self.env.user, ondelete="set null"
    )
    delivery_ids = fields.One2many(comodel_name="crm.api.webhook.delivery", inverse_name="webhook_id")
    delivery_count = fields.Integer(compute="_compute_delivery_count")
    failed_count = fields.Integer(compute="_compute_delivery_count")

    def _compute_delivery_count(self):
        counts = {
            (webhook.id, state): count
            for webhook, state, count in self.env["crm.api.webhook.delivery"]._read_group(
                [("webhook_id", "in", self.ids)], ["webhook_id", "state"], ["__count"]
            )
        }
        for webhook in self:
            webhook.delivery_count = sum(c for (wid, _s), c in counts.items() if wid == webhook.id)
            webhook.failed_count = counts.get((webhook.id, "failed"), 0)

    @api.constrains("url")
    def _check_url(self):
        for webhook in self:
            if not (webhook.url or "").startswith(("http://", "https://")):
                raise ValidationError(self.env._("The webhook URL must start with http:// or https://."))

    def action_view_deliveries(self):
        """Open the delivery log of this subscription."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Deliveries"),
            "res_model": "crm.api.webhook.delivery",
            "view_mode": "list,form",
            "domain": [("webhook_id", "=", self.id)],
        }
