# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

from .vrm_recipient import RECIPIENT_TYPES


class VrmAgreement(models.Model):
    """A standard agreement (IEEE 7012 "MyTerms") a customer can proffer to the company, with
    the company's policy for answering it and the choices it sets once accepted."""

    _name = "vrm.agreement"
    _description = "Standard Agreement (MyTerms)"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    version = fields.Char(required=True, default="1.0")
    summary = fields.Text(translate=True, help="Plain-language summary shown to the customer.")
    url = fields.Char(string="Full text", help="Where the agreement's text is published.")
    policy = fields.Selection(
        selection=[
            ("accept", "Accept automatically"),
            ("reject", "Reject automatically"),
            ("review", "Send to the privacy officer"),
        ],
        string="Company policy",
        required=True,
        default="review",
    )
    term_ids = fields.One2many(comodel_name="vrm.agreement.term", inverse_name="agreement_id", string="Terms")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_version_unique", "unique(code, version)", "An agreement version must be unique."),
    ]


class VrmAgreementTerm(models.Model):
    """One choice an accepted agreement sets (empty category: every category)."""

    _name = "vrm.agreement.term"
    _description = "Standard Agreement Term"

    agreement_id = fields.Many2one(comodel_name="vrm.agreement", required=True, ondelete="cascade", index=True)
    recipient_type = fields.Selection(selection=RECIPIENT_TYPES, required=True)
    purpose_id = fields.Many2one(comodel_name="vrm.purpose", required=True, ondelete="cascade")
    category_id = fields.Many2one(
        comodel_name="vrm.data.category",
        ondelete="cascade",
        help="Empty: every category.",
    )
    allowed = fields.Boolean()
