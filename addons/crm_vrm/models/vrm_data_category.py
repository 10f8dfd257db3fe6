# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools

from ..tools.masking import DERIVED_FIELDS, NOT_PERSONAL, OTHER


class VrmDataCategory(models.Model):
    _name = "vrm.data.category"
    _inherit = ["vrm.register.mixin"]
    _description = "Personal Data Category"

    field_ids = fields.Many2many(
        comodel_name="ir.model.fields",
        relation="vrm_data_category_field_rel",
        column1="category_id",
        column2="field_id",
        string="Fields",
        help="The actual fields holding data of this category.",
    )
    contract_minimum = fields.Boolean(
        help="Needed to serve the customer: always shared for purposes whose basis is the contract."
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "A data category code must be unique."),
    ]

    @api.model
    @tools.ormcache("model_name")
    def _vrm_field_map(self, model_name):
        """Return {field name: category code} for the mapped fields of one model. For customers
        (res.partner) deny by default: a field neither mapped in the register, nor derived from
        a mapped one, nor in NOT_PERSONAL is in the "other" category (one2many and many2many
        fields excepted: their comodel's rules apply)."""
        self.env.cr.execute(
            """
            SELECT f.name, c.code
              FROM vrm_data_category_field_rel rel
              JOIN vrm_data_category c ON c.id = rel.category_id
              JOIN ir_model_fields f ON f.id = rel.field_id
             WHERE f.model = %s AND c.active
            """,
            [model_name],
        )
        field_map = dict(self.env.cr.fetchall())
        if model_name == "res.partner":
            self.env.cr.execute("SELECT code FROM vrm_data_category WHERE active")
            codes = {row[0] for row in self.env.cr.fetchall()}
            derived = {fname: code for code, names in DERIVED_FIELDS.items() for fname in names}
            for fname, field in self.env[model_name]._fields.items():
                if fname in field_map or fname in NOT_PERSONAL or field.type in ("one2many", "many2many"):
                    continue
                code = derived.get(fname, OTHER)
                if code in codes:
                    field_map[fname] = code
        return field_map

    @api.model
    @tools.ormcache("model_name")
    def _vrm_foreign_plan(self, model_name):
        """{field name: (path to the customer, category code)} for a model other than res.partner
        whose fields show a customer's data: fields related to (or inherited from) a mapped field
        of the customer, and the model's own fields mapped in the register, whose customer is the
        model's _vrm_subject_field (default partner_id)."""
        if model_name == "res.partner" or model_name not in self.env:
            return {}
        model = self.env[model_name]
        partner_map = self._vrm_field_map("res.partner")
        plan = {}
        for fname, field in model._fields.items():
            if not field.related or field.type in ("one2many", "many2many"):
                continue
            path = field.related.split(".")
            target = field.related_field
            if target is not None and target.model_name == "res.partner" and path[-1] in partner_map:
                plan[fname] = (tuple(path[:-1]), partner_map[path[-1]])
        subject = getattr(model, "_vrm_subject_field", "partner_id")
        subject_field = model._fields.get(subject)
        own = self._vrm_field_map(model_name)
        if own and subject_field is not None and subject_field.comodel_name == "res.partner":
            for fname, code in own.items():
                plan.setdefault(fname, ((subject,), code))
        return plan

    @api.model
    @tools.ormcache("purpose_code", "category_code")
    def _vrm_rule(self, purpose_code, category_code):
        """(purpose id, category id, always allowed?) for a purpose and category code; without a
        purpose (False) nothing is always allowed and no choice matches (purpose id 0)."""
        category = self._vrm_get(category_code)
        if not purpose_code:
            return 0, category.id, False
        purpose = self.env["vrm.purpose"]._vrm_get(purpose_code)
        always = purpose.legal_basis == "contract" and category.contract_minimum
        return purpose.id, category.id, always

    @api.model
    @tools.ormcache("model_name", "purpose_code")
    def _vrm_plan(self, model_name, purpose_code):
        """(purpose id, {field name: (category code, category id, always shared?)}) for the
        mapped fields of one model: what an enforced read needs, in one cached look-up."""
        field_map = self._vrm_field_map(model_name)
        rules = {code: self._vrm_rule(purpose_code, code) for code in set(field_map.values())}
        if rules:
            purpose_id = next(iter(rules.values()))[0]
        else:
            purpose_id = self.env["vrm.purpose"]._vrm_get(purpose_code).id if purpose_code else 0
        return purpose_id, {fname: (code, rules[code][1], rules[code][2]) for fname, code in field_map.items()}
