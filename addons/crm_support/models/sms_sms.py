# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from datetime import timedelta

from odoo import api, fields, models

from ..tools import HttpSmsGateway, SmsGatewayError

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Wait before the n-th retry: 30 s, 1 min, 2 min, 4 min ... at most one hour.
BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
DELIVERY_STATES = {
    "queued": "pending",
    "accepted": "pending",
    "sending": "pending",
    "sent": "pending",
    "delivered": "sent",
    "undelivered": "error",
    "failed": "error",
}


class SmsSms(models.Model):
    _inherit = "sms.sms"

    gateway_attempts = fields.Integer(readonly=True, copy=False)
    gateway_next_try = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    gateway_sid = fields.Char(string="Gateway Message Id", readonly=True, copy=False, index="btree_not_null")
    gateway_error = fields.Char(readonly=True, copy=False)

    @api.model
    def _crm_gateway(self):
        """The HTTP gateway client when one is configured (Settings > Technical > Parameters), else None."""
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param("crm_support.sms_gateway_url")
        if not url:
            return None
        callback = None
        token = params.get_param("crm_support.sms_gateway_callback_token")
        if token:
            callback = f"{self.browse().get_base_url()}/crm_support/sms/status/{token}"
        return HttpSmsGateway(
            url,
            params.get_param("crm_support.sms_gateway_account", ""),
            params.get_param("crm_support.sms_gateway_token", ""),
            params.get_param("crm_support.sms_gateway_sender", ""),
            timeout=float(params.get_param("crm_support.sms_gateway_timeout", 5)),
            status_callback=callback,
        )

    @api.model
    def _process_queue(self, ids=None):
        """Skip messages waiting for their next retry."""
        if self._crm_gateway():
            due = self.search(
                [
                    ("state", "=", "outgoing"),
                    ("to_delete", "!=", True),
                    "|",
                    ("gateway_next_try", "=", False),
                    ("gateway_next_try", "<=", fields.Datetime.now()),
                ],
                limit=10000,
            ).ids
            ids = sorted(set(due) & set(ids)) if ids else due
            if not ids:
                return None
        return super()._process_queue(ids=ids)

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        gateway = self._crm_gateway()
        if not gateway:
            return super()._send(unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception)
        # Lock the rows: a second worker processing the queue skips them instead of sending twice.
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM sms_sms WHERE id IN %s AND state = 'outgoing' FOR UPDATE SKIP LOCKED", [tuple(self.ids)]
        )
        locked = self.browse([row[0] for row in self.env.cr.fetchall()]).sudo()
        now = fields.Datetime.now()
        for sms in locked:
            try:
                sid = gateway.send(sms.number, sms.body, sms.uuid)
            except SmsGatewayError as exc:
                sms._crm_gateway_failed(exc, now, unlink_failed)
                continue
            sms.write(
                {
                    "state": "pending",
                    "failure_type": False,
                    "gateway_sid": sid,
                    "gateway_error": False,
                    "gateway_attempts": sms.gateway_attempts + 1,
                    "to_delete": unlink_sent,
                }
            )
            sms.sms_tracker_id._action_update_from_sms_state("pending")
        locked.mail_message_id._notify_message_notification_update()
        return True

    def _crm_gateway_failed(self, exc, now, unlink_failed):
        """Keep a retryable message queued with exponential backoff; give up on permanent errors."""
        self.ensure_one()
        attempts = self.gateway_attempts + 1
        if exc.retryable and attempts < MAX_ATTEMPTS:
            delay = min(BACKOFF_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
            self.write(
                {
                    "gateway_attempts": attempts,
                    "gateway_next_try": now + timedelta(seconds=delay),
                    "gateway_error": str(exc)[:200],
                }
            )
            _logger.info("SMS %s: %s; retry %s in %s s", self.id, exc, attempts, delay)
            return
        _logger.warning("SMS %s: giving up after %s attempt(s): %s", self.id, attempts, exc)
        self.write(
            {
                "state": "error",
                "failure_type": "sms_server",
                "gateway_attempts": attempts,
                "gateway_error": str(exc)[:200],
                "to_delete": unlink_failed,
            }
        )
        self.sms_tracker_id._action_update_from_sms_state("error", failure_type="sms_server")

    @api.model
    def _crm_gateway_status(self, sid, status):
        """Apply a delivery report from the gateway; returns the updated message (or empty)."""
        state = DELIVERY_STATES.get((status or "").lower())
        sms = self.sudo().search([("gateway_sid", "=", sid)], limit=1) if sid else self.sudo().browse()
        if not sms or not state:
            return sms.browse()
        values = {"state": state}
        if state == "error":
            values["failure_type"] = "unknown"
        sms.write(values)
        sms.sms_tracker_id._action_update_from_sms_state(state, failure_type=values.get("failure_type"))
        return sms
