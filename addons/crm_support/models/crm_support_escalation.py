# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class CrmSupportEscalationLevel(models.Model):
    _name = "crm.support.escalation.level"
    # the earliest offset of each policy is cached (crm.support.sla.policy._compiled_policies)
    _inherit = ["crm.support.cached.mixin"]
    _description = "Escalation Level"
    _order = "policy_id, offset_minutes, id"

    policy_id = fields.Many2one(comodel_name="crm.support.sla.policy", required=True, ondelete="cascade", index=True)
    name = fields.Char(required=True)
    trigger = fields.Selection(
        selection=[("resolution", "Resolution target"), ("response", "First-response target")],
        string="Target",
        required=True,
        default="resolution",
        help="The deadline this level counts from; a first-response level fires only while the request "
        "has had no first response.",
    )
    offset_minutes = fields.Integer(
        string="Minutes From Breach",
        required=True,
        help="Relative to the level's deadline: -30 is 30 minutes before, 60 is one hour after.",
    )
    notify = fields.Selection(
        selection=[
            ("assignee", "Assignee"),
            ("manager", "Franchise manager"),
            ("head_office", "Head office"),
        ],
        required=True,
        default="assignee",
    )
    by_sms = fields.Boolean(string="SMS", default=True)
    by_email = fields.Boolean(string="E-mail", default=True)


class CrmSupportEscalationLog(models.Model):
    _name = "crm.support.escalation.log"
    _description = "Escalation Log"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one(comodel_name="crm.support.ticket", required=True, ondelete="cascade", index=True)
    level_id = fields.Many2one(comodel_name="crm.support.escalation.level", required=True, ondelete="cascade")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    franchise_id = fields.Many2one(related="ticket_id.franchise_id")
    recipients = fields.Char()

    # Each level fires once per ticket, also when two servers run the cron at the same time.
    _sql_constraints = [
        ("ticket_level_uniq", "unique(ticket_id, level_id)", "This escalation level already fired."),
    ]
