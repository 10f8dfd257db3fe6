# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class CrmSupportCachedMixin(models.AbstractModel):
    """Records that routing and intake read through ormcache (stage ids, compiled rules, postcode
    index): creating, changing or deleting one clears the registry cache, which Odoo then signals
    to the other workers."""

    _name = "crm.support.cached.mixin"
    _description = "Cached by routing and intake"

    # fields whose change leaves every cached value valid (e.g. a rule's preview result)
    _cache_neutral_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        if set(vals) - self._cache_neutral_fields:
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res
