# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.webhook_client import TargetRefused, check_target, parse_allowed_hosts

# Receivers allowed whatever their address (comma-separated host[:port], e.g. a local test receiver).
ALLOWED_HOSTS_PARAM = "crm_api.webhook_allowed_hosts"


class CrmApiWebhook(models.Model):
    """A subscription: signed POSTs of the chosen events to one URL."""

    _name = "crm.api.webhook"
    # who listens to an event is read through ormcache on every business change (_subscribed_webhook_ids)
    _inherit = ["crm.support.cached.mixin"]
    _description = "Webhook subscription"
    _cache_neutral_fields = frozenset({"name", "url", "secret", "user_id", "recipient_id", "purpose_id"})
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
    recipient_id = fields.Many2one(
        comodel_name="vrm.recipient",
        string="Data recipient",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("crm_vrm.recipient_company", raise_if_not_found=False),
        help="Who receives the customers' data: each payload carries only what the customer shares "
        "with this recipient for the purpose below.",
    )
    purpose_id = fields.Many2one(
        comodel_name="vrm.purpose",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("crm_vrm.purpose_service", raise_if_not_found=False),
        help="What the receiver uses the data for.",
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

    @api.model
    def _allowed_hosts(self):
        """The receivers the administrator allows on internal addresses (system parameter)."""
        return parse_allowed_hosts(self.env["ir.config_parameter"].sudo().get_param(ALLOWED_HOSTS_PARAM))

    @api.constrains("url", "active")
    def _check_url(self):
        """Refuse URLs the server would not deliver to, so the manager learns it when saving.

        Archived subscriptions are checked again when they are activated: their host is not looked
        up before (the demo's archived receiver has no real address). Delivery checks again.
        """
        allowed = self._allowed_hosts()
        for webhook in self:
            if not (webhook.url or "").startswith(("http://", "https://")):
                raise ValidationError(self.env._("The webhook URL must start with http:// or https://."))
            if not webhook.active:
                continue
            try:
                check_target(webhook.url, allowed)
            except TargetRefused as exc:
                raise ValidationError(self._target_refused_message(exc)) from exc

    def _target_refused_message(self, exc):
        if exc.kind == "unresolved":
            return self.env._("The webhook host %(host)s could not be resolved.", host=exc.host)
        if exc.kind == "blocked":
            return self.env._(
                "The webhook host %(host)s resolves to %(address)s, an internal address (loopback, "
                "private, link-local or reserved): webhooks go to public addresses only. An "
                "administrator can allow a local receiver in the system parameter %(param)s.",
                host=exc.host,
                address=exc.address,
                param=ALLOWED_HOSTS_PARAM,
            )
        return self.env._("The webhook URL is not a valid http:// or https:// URL with a host.")

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
