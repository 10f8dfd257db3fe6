# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import api, models, tools


class IrDefault(models.Model):
    _inherit = "ir.default"

    @api.model
    def _get(self, model_name, field_name, user_id=False, company_id=False, condition=False):
        """A default as Odoo reads it, from the registry cache when read as superuser.

        http_routing reads the default partner language with two queries on every website-style request
        (each public request form page and each submission). Creating, changing or deleting a default
        clears the registry cache (ir.default's own create, write and unlink), so the cached value is
        never stale. Reads without sudo keep Odoo's path: access rights and record rules apply there.
        """
        if not self.env.su:
            return super()._get(model_name, field_name, user_id, company_id, condition)
        if user_id is True:
            user_id = self.env.uid
        if company_id is True:
            company_id = self.env.company.id
        json_value = self._crm_cached_json(model_name, field_name, user_id, company_id, condition)
        # decoded per call: a list or dict default must not be shared between callers through the cache
        return json.loads(json_value) if json_value is not None else None

    @api.model
    @tools.ormcache("model_name", "field_name", "user_id", "company_id", "condition")
    def _crm_cached_json(self, model_name, field_name, user_id, company_id, condition):
        value = super()._get(model_name, field_name, user_id, company_id, condition)
        return json.dumps(value) if value is not None else None
