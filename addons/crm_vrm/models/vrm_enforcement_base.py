# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The data-sharing enforcement for models other than res.partner that show a customer's data:
res.users' inherited fields, related fields (a follower's e-mail, a card's phone) and a model's
own copies mapped in the register (a service request's e-mail). This extends `base`, so every
model of the instance crosses these three methods; for a model without such fields each costs
one cached dictionary look-up (vrm.data.category _vrm_foreign_plan)."""

from odoo import models
from odoo.tools import SQL

from ..tools.masking import scope_of


class Base(models.AbstractModel):
    _inherit = "base"

    def _fetch_query(self, query, fields):
        """Values fetched into the cache are the real ones (the cache is shared with superuser
        code in the same transaction): _field_to_sql leaves the query's columns unmasked."""
        query._vrm_fetch = True
        return super()._fetch_query(query, fields)

    def _vrm_own_foreign_plan(self):
        """{field: (path to the customer, category code)} of this model (empty for most)."""
        if self._name == "res.partner" or self.env.su:
            return {}
        return self.env["vrm.data.category"]._vrm_foreign_plan(self._name)

    def _read_format(self, fnames, load="_classic_read"):
        """Mask a customer's values shown through this model as res.partner masks them, by the
        choices of the customer the path of each field leads to; log what is shown."""
        result = super()._read_format(fnames, load=load)
        plan = self._vrm_own_foreign_plan() if result else {}
        wanted = [fname for fname in fnames if fname in plan]
        if not wanted:
            return result
        Partner = self.env["res.partner"]
        read_plan = Partner._vrm_current_read_plan()
        if read_plan is None:
            return result
        restricted = read_plan.restricted_codes
        records = self.browse([row["id"] for row in result]).sudo()
        by_path = {}
        for fname in wanted:
            by_path.setdefault(plan[fname][0], []).append(fname)
        shown = []
        for path, names in by_path.items():
            subjects = []
            for record in records:
                subject = record
                for part in path:
                    subject = subject[part][:1]
                subjects.append(subject.id)
            partners = Partner.browse({pid for pid in subjects if pid})
            hidden = partners._vrm_hidden_codes()[1]
            for row, subject in zip(result, subjects, strict=True):
                codes = hidden.get(subject, ()) if subject else restricted
                for fname in names:
                    code = plan[fname][1]
                    if code in codes and code in restricted:
                        row[fname] = (
                            Partner._vrm_mask_value(fname, row[fname]) if isinstance(row[fname], str) else False
                        )
                    elif subject and row[fname]:
                        shown.append((subject, code))
        if shown:
            recipient = self.env["vrm.recipient"].sudo().browse(read_plan.recipient_id)
            purpose = Partner._vrm_purpose_of(self.env["res.users"]._vrm_enforcement_state())
            Partner._vrm_log_access(recipient, purpose, sorted(set(shown)), scope_of(self.env.context).reference)
        return result

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """A stored copy of a customer's value (a service request's e-mail) is NULL in searches,
        groupings and orderings where the user may not see it, as res.partner's own fields are.
        Related fields that are not stored reach res.partner's _field_to_sql themselves."""
        sql = super()._field_to_sql(alias, fname, query, flush)
        if self.env.su or getattr(query, "_vrm_fetch", False):
            return sql
        entry = self._vrm_own_foreign_plan().get(fname)
        field = self._fields.get(fname)
        if not entry or field is None or not field.store or len(entry[0]) != 1:
            return sql
        Partner = self.env["res.partner"]
        read_plan = Partner._vrm_current_read_plan()
        code = entry[1]
        if read_plan is None or code not in read_plan.restricted_codes:
            return sql
        subject = f"{alias}__vrm"
        visible = Partner._vrm_category_visible_sql(subject, read_plan, code)
        return SQL(
            "(CASE WHEN EXISTS (SELECT 1 FROM res_partner AS %s WHERE %s = %s AND %s) THEN %s END)",
            SQL.identifier(subject),
            SQL.identifier(subject, "id"),
            SQL.identifier(alias, entry[0][0]),
            visible,
            sql,
        )
