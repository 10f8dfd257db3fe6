# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models, tools


class CrmSupportReport(models.Model):
    _name = "crm.support.report"
    _description = "Service Request Analysis"
    _auto = False
    _rec_name = "ticket_id"
    _order = "request_date desc"

    ticket_id = fields.Many2one(comodel_name="crm.support.ticket", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    franchise_id = fields.Many2one(comodel_name="crm.franchise", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Employee", readonly=True)
    category_id = fields.Many2one(comodel_name="crm.support.category", readonly=True)
    stage_id = fields.Many2one(comodel_name="crm.support.stage", readonly=True)
    channel = fields.Char(readonly=True)
    priority = fields.Char(readonly=True)
    request_date = fields.Datetime(readonly=True)
    is_closed = fields.Boolean(readonly=True)
    volume = fields.Integer(string="Requests", readonly=True, aggregator="sum")
    response_hours = fields.Float(string="First Response (working h)", readonly=True, aggregator="avg")
    resolution_hours = fields.Float(string="Resolution (working h)", readonly=True, aggregator="avg")
    sla_measured = fields.Integer(string="With SLA", readonly=True, aggregator="sum")
    sla_met = fields.Integer(string="SLA Met", readonly=True, aggregator="sum")
    sla_compliance = fields.Float(string="SLA Compliance %", readonly=True, aggregator="avg")
    escalations = fields.Integer(readonly=True, aggregator="sum")
    age_days = fields.Float(string="Backlog Age (days)", readonly=True, aggregator="avg")
    rating = fields.Float(string="Average Rating", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT t.id AS id,
                       t.id AS ticket_id,
                       t.company_id,
                       t.franchise_id,
                       t.user_id,
                       t.category_id,
                       t.stage_id,
                       t.channel,
                       t.priority,
                       t.request_date,
                       t.is_closed,
                       1 AS volume,
                       t.response_work_hours AS response_hours,
                       t.resolution_work_hours AS resolution_hours,
                       CASE WHEN t.is_closed AND t.sla_resolution_deadline IS NOT NULL THEN 1 ELSE 0 END
                           AS sla_measured,
                       CASE WHEN t.is_closed AND t.closed_at <= t.sla_resolution_deadline THEN 1 ELSE 0 END
                           AS sla_met,
                       CASE WHEN t.is_closed AND t.sla_resolution_deadline IS NOT NULL
                            THEN CASE WHEN t.closed_at <= t.sla_resolution_deadline THEN 100.0 ELSE 0.0 END
                       END AS sla_compliance,
                       (SELECT count(*) FROM crm_support_escalation_log l WHERE l.ticket_id = t.id) AS escalations,
                       CASE WHEN NOT t.is_closed
                            THEN EXTRACT(EPOCH FROM (now() at time zone 'UTC' - t.request_date)) / 86400.0
                       END AS age_days,
                       NULLIF(t.rating_value, 0) AS rating
                  FROM crm_support_ticket t
            )
            """
        )
