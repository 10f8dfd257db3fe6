# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class CrmSupportCachedMixin(models.AbstractModel):
    """Records that routing and intake read through ormcache (stage ids, compiled rules, postcode
    index): creating, changing or deleting one that a cached value was built from clears the
    registry's default cache, which Odoo then signals to the other workers (each empties its own).
    Models whose records are mostly not read by the cache (every time-off of the instance is a
    resource.calendar.leaves) narrow it with _crm_cache_relevant()."""

    _name = "crm.support.cached.mixin"
    _description = "Cached by routing and intake"

    # fields whose change leaves every cached value valid (e.g. a rule's preview result)
    _cache_neutral_fields = frozenset()
    # when set, the only fields a cached value is built from (a change of any other one leaves it valid)
    _cache_fields = None

    def _crm_cache_relevant(self):
        """The records of self that a cached value may be built from (by default all of them)."""
        return self

    def _crm_cache_touched(self, fnames):
        """Whether a change of these fields may change a cached value."""
        fnames = set(fnames) - self._cache_neutral_fields
        return bool(fnames & self._cache_fields if self._cache_fields is not None else fnames)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if records._crm_cache_relevant():
            self.env.registry.clear_cache()
        return records

    def write(self, vals):
        if not self._crm_cache_touched(vals):
            return super().write(vals)
        # relevant before (it was cached as it was) or after (it is now read by the cache)
        relevant = bool(self._crm_cache_relevant())
        res = super().write(vals)
        if relevant or self._crm_cache_relevant():
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        relevant = bool(self._crm_cache_relevant())
        res = super().unlink()
        if relevant:
            self.env.registry.clear_cache()
        return res
