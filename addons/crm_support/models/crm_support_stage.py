# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools

STAGE_CODES = [
    ("new", "New"),
    ("assigned", "Assigned"),
    ("in_progress", "In progress"),
    ("waiting", "Waiting customer"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class CrmSupportStage(models.Model):
    _name = "crm.support.stage"
    _inherit = ["crm.support.cached.mixin"]
    # the code and the closed flag are cached (_code_and_closed)
    _cache_neutral_fields = frozenset({"name", "sequence", "fold", "pause_sla"})
    _description = "Service Request Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(selection=STAGE_CODES, required=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the kanban view.")
    is_closed = fields.Boolean(help="Tickets in this stage are finished (done or cancelled).")
    pause_sla = fields.Boolean(
        string="Pauses SLA",
        help="Time spent in this stage does not count towards the SLA deadlines.",
    )

    _sql_constraints = [("code_uniq", "unique(code)", "Each stage code can be used only once.")]

    @api.model
    def _id_by_code(self, code):
        """Id of the stage with this code, or False (from the cache of _code_and_closed: every intake and
        routing asks)."""
        return next(
            (stage_id for stage_id, (stage_code, __) in self._code_and_closed().items() if stage_code == code), False
        )

    @api.model
    @tools.ormcache()
    def _code_and_closed(self):
        """{stage id: (code, is closed)} (cached: intake decides on its draft ticket without reading the stage)."""
        return {stage.id: (stage.code, stage.is_closed) for stage in self.sudo().search([])}
