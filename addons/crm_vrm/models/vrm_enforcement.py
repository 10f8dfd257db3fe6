# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The data-sharing enforcement on res.partner: every ORM path by which a user is shown a
customer's values (fetch and read formatting, SQL of searches, groupings and orderings, exports,
copies, QWeb rendering) crosses the methods of this file."""

from itertools import repeat

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, MissingError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.query import Query

from ..tools.masking import (
    _EXEMPT,
    _MISSING,
    _ROW_ID,
    NOT_PERSONAL,
    _hidden_codes,
    _ReadPlan,
    _sharing_keys,
    mask_value,
    scope_of,
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _vrm_filter_allowed(self, recipient, purpose_code, category_code):
        """The partners of self that allow recipient to use category for purpose (one query)."""
        if not self:
            return self
        recipient = self._vrm_recipient_record(recipient)
        if not recipient:
            return self.browse()
        purpose_id, category_id, always = self.env["vrm.data.category"]._vrm_rule(purpose_code, category_code)
        if always:
            return self
        ids = [pid for pid in self.ids if isinstance(pid, int)]
        if not ids:
            return self.browse()
        self.env["vrm.preference"].flush_model()
        self.env.cr.execute(
            """
            SELECT p.id
              FROM unnest(%(ids)s::int[]) AS p(id)
              LEFT JOIN vrm_preference own
                     ON own.partner_id = p.id AND own.recipient_id = %(recipient)s
                    AND own.purpose_id = %(purpose)s AND own.category_id = %(category)s
              LEFT JOIN vrm_preference grp
                     ON grp.partner_id = p.id AND grp.recipient_id IS NULL
                    AND grp.recipient_type = %(rtype)s
                    AND grp.purpose_id = %(purpose)s AND grp.category_id = %(category)s
             WHERE COALESCE(own.allowed, grp.allowed, FALSE)
            """,
            {
                "ids": ids,
                "recipient": recipient.id,
                "rtype": recipient.recipient_type,
                "purpose": purpose_id,
                "category": category_id,
            },
        )
        allowed = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda p: p.id in allowed)

    def _vrm_allows(self, recipient, purpose_code, category_code):
        """Whether this customer lets recipient use data of category for purpose."""
        self.ensure_one()
        return bool(self._vrm_filter_allowed(recipient, purpose_code, category_code))

    # masking and reading ----------------------------------------------------------------------

    @api.model
    def _vrm_mask_value(self, fname, value):
        """The masked form of a value: phone +44 •••• ••12, e-mail j•••@example.com, else False."""
        return mask_value(fname, value)

    def _vrm_categories_for(self, fnames):
        """{category code: [field names]} for the mapped fields among fnames."""
        field_map = self.env["vrm.data.category"]._vrm_field_map(self._name)
        result = {}
        for fname in fnames:
            code = field_map.get(fname)
            if code:
                result.setdefault(code, []).append(fname)
        return result

    def _vrm_read_for(self, recipient, purpose_code, fnames, reference=None):
        """Values of fnames per partner as recipient may see them for purpose; logs what is shown.

        The view of a named recipient (an API client, a franchise texted about a request): unlike
        the ORM enforcement of _read_format, nobody is exempt, not even staff partners or the
        caller's own partner, as the caller is not the one who sees the values. Otherwise the
        same rules and the same look-up for every category at once (_vrm_hidden, one query for the
        partners' choices index: the former per-category _vrm_filter_allowed queries are gone)."""
        recipient = self._vrm_recipient_record(recipient)
        partners = self.sudo()
        rows = partners.read(list(fnames), load="_classic_read")
        by_category = self._vrm_categories_for(fnames)
        if not recipient:
            # nobody to share with: every mapped value is masked, nothing is logged
            for row in rows:
                for names in by_category.values():
                    for fname in names:
                        row[fname] = self._vrm_mask_value(fname, row.get(fname))
            return rows
        restricted = self._vrm_restricted_categories(purpose_code, fnames)
        hidden = partners._vrm_hidden(recipient, purpose_code, restricted, exempt=False)
        shown = []
        for row in rows:
            codes = hidden.get(row["id"], ())
            for code, names in by_category.items():
                if code in codes:
                    for fname in names:
                        row[fname] = self._vrm_mask_value(fname, row.get(fname))
                elif any(row.get(f) for f in names):
                    shown.append((row["id"], code))
        self._vrm_log_access(recipient, purpose_code, shown, reference)
        return rows

    @api.model
    def _vrm_log_access(self, recipient, purpose_code, shown, reference=None):
        """Queue one access-log row per (partner id, category code) of shown; the queue is
        written in one INSERT when the transaction commits (or the log is searched)."""
        if not shown:
            return
        purpose_id, plan = self.env["vrm.data.category"]._vrm_plan(self._name, purpose_code)
        category_ids = {code: category_id for code, category_id, _always in plan.values()}
        by_code = {}
        for pid, code in shown:
            by_code.setdefault(code, []).append(pid)
        key = (fields.Datetime.now(), recipient.id, self.env.uid)
        self.env["vrm.access.log"]._vrm_queue_blocks(
            [((*key, category_ids[code], purpose_id or None, reference), pids) for code, pids in by_code.items()]
        )

    # enforcement in the ORM -----------------------------------------------------------------
    # Reads are the hot path (issue 5, point 11: at most 10 % over a plain read). Everything that
    # does not depend on the records is cached: who the user acts for (res.users
    # _vrm_enforcement_state, per user) and the field -> category -> rule map of a purpose
    # (vrm.data.category _vrm_plan), both in one look-up (_vrm_read_plan). The customers' choices
    # come in the read's own query: the ORM keeps them in one indexed line per customer
    # (vrm_sharing) that _determine_fields_to_fetch adds to an enforced fetch. An enforced read
    # thus runs the same single query as a plain one, plus a little Python: what a list of
    # fields needs is prepared once per user and purpose (_ReadPlan.spec), what a choices index
    # hides is decided once per distinct index (customers share a few), and a page is masked and
    # checked for the access log a column at a time in C (map, compress), not row by row.

    def _vrm_enforcement(self):
        """(recipient, purpose code or False) whose sharing limits what the current user is shown,
        or None when nothing is limited: sudo, superuser, privacy officers, users without a
        recipient. The purpose is the user's (res.users _vrm_purpose_code) unless server code
        names another in a VrmScope: nothing the client sends counts."""
        env = self.env
        if env.su:
            return None
        state = env["res.users"]._vrm_enforcement_state()
        if state is None:
            return None
        return env["vrm.recipient"].sudo().browse(state[0]), self._vrm_purpose_of(state)

    def _vrm_purpose_of(self, state):
        """The purpose of the current read: the VrmScope's (server code), else the user's."""
        scope = scope_of(self.env.context)
        return scope.purpose if scope.purpose is not None else state[4]

    @api.model
    @tools.ormcache("self.env.uid", "purpose_code")
    def _vrm_read_plan(self, purpose_code):
        """None when the current user is not limited, else the _ReadPlan of the user and purpose:
        all an enforced read looks up, in one cached call."""
        state = self.env["res.users"]._vrm_enforcement_state()
        if state is None:
            return None
        recipient_id, recipient_type, staff, own, _purpose = state
        purpose_id, plan = self.env["vrm.data.category"]._vrm_plan(self._name, purpose_code)
        return _ReadPlan(recipient_id, recipient_type, staff | {own}, purpose_id, plan)

    def _vrm_current_read_plan(self):
        """The _vrm_read_plan of the current user for the purpose of the read (None: not limited)."""
        if self.env.su:
            return None
        state = self.env["res.users"]._vrm_enforcement_state()
        if state is None:
            return None
        return self._vrm_read_plan(self._vrm_purpose_of(state))

    def _vrm_restricted_categories(self, purpose_code, fnames):
        """{category code: [field names]} among fnames that are not always shared for purpose."""
        plan = self.env["vrm.data.category"]._vrm_plan(self._name, purpose_code)[1]
        result = {}
        for fname in fnames:
            entry = plan.get(fname)
            if entry and not entry[2]:
                result.setdefault(entry[0], []).append(fname)
        return result

    @api.model
    @tools.ormcache()
    def _vrm_staff_partner_ids(self):
        """Partners of internal users and of companies: never masked (cached, cleared when
        users' groups or companies change). Not in the "groups" cache: that one holds a single
        entry, Odoo's group definitions, which every has_group() needs; sharing it made each
        enforced read rebuild both."""
        self.env.cr.execute("SELECT partner_id FROM res_users WHERE NOT share UNION SELECT partner_id FROM res_company")
        return frozenset(row[0] for row in self.env.cr.fetchall())

    def _vrm_exempt_partner_ids(self):
        """Partners never masked: the user's own, internal users' and the companies'."""
        return self._vrm_staff_partner_ids() | {self.env.user.partner_id.id}

    def _vrm_hidden(self, recipient, purpose_code, restricted, exempt=True):
        """{partner id: set of category codes hidden from recipient} for the partners of self,
        from their choices index (vrm_sharing: fetched with the partners by an enforced read, else
        in one query for the page). With exempt, the partners never masked for the current user
        (staff, companies, the user's own) are never hidden; _vrm_read_for passes False."""
        if not restricted:
            return {}
        purpose_id, plan = self.env["vrm.data.category"]._vrm_plan(self._name, purpose_code)
        keys = _sharing_keys(
            purpose_id,
            recipient.id,
            recipient.recipient_type,
            {code: plan[names[0]][1] for code, names in restricted.items()},
        )
        exempt_ids = frozenset()
        if exempt:
            state = self.env["res.users"]._vrm_enforcement_state()
            staff, own = (state[2], state[3]) if state else (self._vrm_staff_partner_ids(), self.env.user.partner_id.id)
            exempt_ids = staff | {own}
        return self._vrm_hidden_by_index(keys, exempt_ids)

    def _vrm_hidden_by_index(self, keys, exempt):
        """_vrm_hidden given the look-ups already made (_sharing_keys, partner ids never masked)."""
        partners = self.browse([pid for pid in self.ids if isinstance(pid, int)])
        if not partners:
            return {}
        memo = {_EXEMPT: frozenset()}  # customers share a few distinct indexes: decide once per index
        hidden = {}
        for pid, index in zip(partners.ids, partners._vrm_sharing_indexes(exempt), strict=True):
            codes = memo.get(index)
            if codes is None:
                codes = memo[index] = _hidden_codes(index, keys)
            if codes:
                hidden[pid] = codes
        return hidden

    def _determine_fields_to_fetch(self, field_names, ignore_when_in_cache=False):
        """Fetch the choices index with the partners when the read will need it (same query)."""
        fields_to_fetch = super()._determine_fields_to_fetch(field_names, ignore_when_in_cache=ignore_when_in_cache)
        env = self.env
        if not fields_to_fetch or env.su:
            return fields_to_fetch
        read_plan = self._vrm_current_read_plan()
        if read_plan is None:
            return fields_to_fetch
        index = self._fields["vrm_sharing"]
        restricted = read_plan.restricted
        if index not in fields_to_fetch and any(field.name in restricted for field in fields_to_fetch):
            fields_to_fetch.append(index)
        return fields_to_fetch

    def _fetch_query(self, query, fields):
        """The choices index added by _determine_fields_to_fetch is read for the enforcement, not
        for the user: its group does not apply (a user's own request for it was checked there).
        Only the columns are read as superuser; one2many and many2many fields fetched with them
        are read as the user, so that their comodel's record rules apply."""
        index = self._fields["vrm_sharing"]
        if self.env.su or index not in fields:
            return super()._fetch_query(query, fields)
        query._vrm_fetch = True  # see _field_to_sql: the values fetched go to the shared cache
        columns = [field for field in fields if field.column_type or field.name == "id"]
        others = [field for field in fields if not (field.column_type or field.name == "id")]
        fetched = super(ResPartner, self.sudo())._fetch_query(query, columns).with_env(self.env)
        if fetched:
            for field in others:
                field.read(fetched)
        return fetched

    def _read_format(self, fnames, load="_classic_read"):
        """Mask the categories the current user's recipient may not see (read, search_read,
        web_read); log what a recipient outside the company is shown. Values hidden without a
        masked form are not formatted at all, only set to False."""
        env = self.env
        read_plan = self._vrm_current_read_plan()
        spec = read_plan and read_plan.spec(fnames, self._fields)
        if spec is None:
            return super()._read_format(fnames, load=load)
        indexes = deferred = ()
        if spec.restricted:
            indexes = self._vrm_sharing_indexes(read_plan.exempt, fetch=False)
            deferred = spec.deferred(indexes) if indexes is not None else frozenset()
        result = super()._read_format(spec.formatted(deferred) if deferred else fnames, load=load)
        if not result:
            return result
        records = self
        if len(result) != len(self._ids) or indexes is None:
            # the rows of the records of self that exist, in the same order
            records = self.browse(list(map(_ROW_ID, result)))
            indexes = records._vrm_sharing_indexes(read_plan.exempt) if spec.restricted else ()

        def fill(rows, ids, names):
            records.browse(ids)._vrm_format_values(rows, names, load)

        shown = spec.apply(result, records._ids, indexes, self._vrm_mask_value, fill, deferred)
        if shown:
            key = (fields.Datetime.now(), read_plan.recipient_id, env.uid)
            tail = (read_plan.purpose_id or None, scope_of(env.context).reference)
            blocks = [((*key, category_id, *tail), pids) for category_id, pids in shown if pids]
            if blocks:
                env["vrm.access.log"]._vrm_queue_blocks(blocks)
        return result

    def _vrm_format_values(self, rows, fnames, load):
        """Set the values of fnames in rows (the read dicts of self, in order) as _read_format
        formats them. A customer deleted meanwhile shows nothing (its other values were read)."""
        use_display_name = load == "_classic_read"
        records = list(self)
        for fname in fnames:
            convert = self._fields[fname].convert_to_read
            for row, record in zip(rows, records, strict=True):
                try:
                    row[fname] = convert(record[fname], record, use_display_name)
                except MissingError:
                    row[fname] = False

    def _vrm_sharing_indexes(self, exempt, fetch=True):
        """The choices index (vrm_sharing) of each partner of self, in order; _EXEMPT for the
        partners never masked (exempt) and for new records. In cache from the partners' own
        query when _determine_fields_to_fetch added it, else read in one query (without fetch:
        None)."""
        ids = self._ids
        field = self._fields["vrm_sharing"]
        field.recompute(self)  # choices changed earlier in this transaction
        # what Cache.get_until_miss does, in C: a page is read a column at a time
        indexes = list(map(self.env.cache._get_field_cache(self, field).get, ids, repeat(_MISSING)))
        if _MISSING in indexes:
            if not fetch:
                return None
            indexes = field.mapped(self.sudo())
        if not exempt.isdisjoint(ids) or set(map(type, ids)) != {int}:
            indexes = [
                _EXEMPT if pid in exempt or not isinstance(pid, int) else index
                for pid, index in zip(ids, indexes, strict=True)
            ]
        return indexes

    def _vrm_render_masks(self, fnames):
        """For QWeb rendering (t-field, contact widget) of this partner: {field name: masked value}
        for every field of the categories among fnames hidden from the current user (empty: all
        shown). Logs the shown categories once per partner, category and transaction."""
        self.ensure_one()
        mapped = self._vrm_categories_for(fnames)
        enforcement = self._vrm_enforcement() if mapped else None
        if not enforcement:
            return {}
        recipient, purpose_code = enforcement
        restricted = self._vrm_restricted_categories(purpose_code, fnames)
        hidden = self._vrm_hidden(recipient, purpose_code, restricted).get(self.id, ())
        partner = self.sudo()
        field_map = self.env["vrm.data.category"]._vrm_field_map(self._name)
        masks = {}
        for code in hidden:
            for fname in (name for name, cat in field_map.items() if cat == code):
                masks[fname] = self._vrm_mask_value(fname, partner[fname])
        # every reader is logged, company staff too
        reference = scope_of(self.env.context).reference
        logged = self.env.cr.precommit.data.setdefault("vrm.access.log.rendered", set())
        shown = []
        for code, names in mapped.items():
            key = (self.id, code, recipient.id, purpose_code, reference)
            if code not in hidden and key not in logged and any(partner[f] for f in names):
                logged.add(key)
                shown.append((self.id, code))
        self._vrm_log_access(recipient, purpose_code, shown, reference)
        return masks

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """Exports show the same masked values as the screens."""
        enforcement = self._vrm_enforcement() if self else None
        top = [path[0] for path in fields if len(path) == 1]
        restricted = self._vrm_restricted_categories(enforcement[1], top) if enforcement else {}
        if not restricted:
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        recipient, purpose_code = enforcement
        hidden = self._vrm_hidden(recipient, purpose_code, restricted)
        lines = []
        for record in self:
            rows = super(ResPartner, record)._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
            for code in hidden.get(record.id, ()):
                for index, path in enumerate(fields):
                    if len(path) == 1 and path[0] in restricted[code]:
                        rows[0][index] = self._vrm_mask_value(path[0], rows[0][index]) or ""
            lines += rows
        return lines

    # searches, groupings, orderings: the SQL of a field -----------------------------------------

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The one point where the ORM turns a field into SQL for a search, a grouping, an
        aggregate or an ordering (and for related fields of other models that reach the
        customer, such as res.users' inherited e-mail): a value the user may not see is NULL
        there, so it matches no search, forms no group of its own, adds to no total and orders
        nothing. The fetch that fills the cache is not changed (see _fetch_query)."""
        sql = super()._field_to_sql(alias, fname, query, flush)
        # the record's structure (id, active, company, name...) is never masked: no look-up
        if fname in NOT_PERSONAL or self.env.su or getattr(query, "_vrm_fetch", False):
            return sql
        visible = self._vrm_visible_sql(alias, fname)
        return sql if visible is None else SQL("(CASE WHEN %s THEN %s END)", visible, sql)

    def _vrm_visible_sql(self, alias, fname):
        """SQL true where the current user may see field fname of the customer row alias, or
        None when nothing limits it."""
        read_plan = self._vrm_current_read_plan()
        if read_plan is None or fname not in read_plan.restricted:
            return None
        return self._vrm_category_visible_sql(alias, read_plan, read_plan.plan[fname][0])

    def _vrm_category_visible_sql(self, alias, read_plan, code):
        """SQL true where the user of read_plan may see category code of the customer row alias.
        It reads the row's own choices index (vrm_sharing): no list of customers, whatever their
        number; the partners never masked (staff, companies, the user's own) are a short list."""
        _code, own_key, type_key = read_plan.categories[code]
        sharing = SQL.identifier(alias, "vrm_sharing", to_flush=self._fields["vrm_sharing"])
        return SQL(
            "(%(id)s = ANY(%(exempt)s) OR CASE WHEN strpos(COALESCE(%(sharing)s, ''), %(own)s) > 0"
            " THEN strpos(%(sharing)s, %(own_yes)s) > 0 ELSE strpos(COALESCE(%(sharing)s, ''), %(type_yes)s) > 0 END)",
            id=SQL.identifier(alias, "id"),
            exempt=read_plan.exempt_ids,
            sharing=sharing,
            own=own_key,
            own_yes=own_key + "1",
            type_yes=type_key + "1",
        )

    def _vrm_hidden_codes(self):
        """(read plan, {partner id: category codes hidden from the current user}) for the
        partners of self; (None, {}) when the user is not limited."""
        read_plan = self._vrm_current_read_plan()
        if read_plan is None or not read_plan.restricted:
            return None, {}
        keys = [read_plan.categories[code] for code in read_plan.restricted_codes]
        return read_plan, self._vrm_hidden_by_index(keys, read_plan.exempt) if self else {}

    def _search_phone_mobile_search(self, operator, value):
        """Odoo's phone search (sms) runs its own SQL on the numbers: it finds only customers
        whose contact details the user may see."""
        domain = super()._search_phone_mobile_search(operator, value)
        visible = self._vrm_visible_sql(self._table, "phone")
        if visible is None:
            return domain
        query = Query(self.env, self._table, self._table_sql)
        query.add_where(visible)
        return expression.AND([domain, [("id", "in", query)]])

    # copies, onchanges and display names ----------------------------------------------------------

    def _vrm_hidden_fields(self):
        """{partner id: set of field names the current user may not see} for the partners of self
        (empty when nothing is hidden)."""
        read_plan, hidden = self._vrm_hidden_codes()
        if not hidden:
            return {}
        restricted = {}
        for fname in read_plan.restricted:
            restricted.setdefault(read_plan.plan[fname][0], []).append(fname)
        return {pid: {fname for code in codes for fname in restricted[code]} for pid, codes in hidden.items()}

    def copy_data(self, default=None):
        """A copy holds only what the user may see of the original: hidden values are not copied."""
        vals_list = super().copy_data(default=default)
        hidden = self._vrm_hidden_fields()
        given = set(default or ())
        for partner, vals in zip(self, vals_list, strict=True):
            for fname in hidden.get(partner.id, ()):
                if fname in vals and fname not in given:
                    vals[fname] = False
        return vals_list

    def onchange(self, values, field_names, fields_spec):
        """Values an onchange computes for an existing customer (an e-mail formatted with a new
        name, an address line) are masked as a read would mask them."""
        result = super().onchange(values, field_names, fields_spec)
        # the web client calls it on the record ([id]); older callers give the id in values
        record_id = self.id if len(self) == 1 else values.get("id")
        changed = result.get("value")
        if changed and isinstance(record_id, int):
            hidden = self.browse(record_id)._vrm_hidden_fields().get(record_id, ())
            for fname in hidden & changed.keys():
                changed[fname] = mask_value(fname, changed[fname]) if isinstance(changed[fname], str) else False
        return result

    @api.depends_context(
        "show_address", "partner_show_db_id", "address_inline", "show_email", "show_vat", "lang", "uid"
    )
    def _compute_display_name(self):
        """A name shown with its e-mail, address or VAT (show_email, show_address, show_vat in
        the context, as many2one fields ask) shows them only where the user may see them."""
        keys = {"show_email": "email", "show_address": "street", "show_vat": "vat"}
        asked = [key for key in keys if self.env.context.get(key)]
        hidden = self._vrm_hidden_fields() if asked else {}
        if not hidden:
            return super()._compute_display_name()
        groups = {}
        for partner in self:
            off = frozenset(key for key in asked if keys[key] in hidden.get(partner.id, ()))
            groups.setdefault(off, []).append(partner.id)
        for off, ids in groups.items():
            partners = self.browse(ids)
            if not off:
                super(ResPartner, partners)._compute_display_name()
                continue
            # computed in a context without the keys (reading the field there would find it
            # protected, being computed for the same records)
            narrow = partners.with_context(**dict.fromkeys(off, False))
            super(ResPartner, narrow)._compute_display_name()
            for partner, shown in zip(partners, narrow, strict=True):
                partner.display_name = shown.display_name
        return None

    # links to other records ----------------------------------------------------------------------

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """A condition on a one2many or many2many link (cards, invoices, tickets) is a search on
        its comodel: refused to a user who may not read that comodel or the field, as reading it
        is, so that "customers with a loyalty card" is no oracle for staff without loyalty rights."""
        if domain and not self.env.su:
            for leaf in domain:
                if not (expression.is_leaf(leaf) and isinstance(leaf[0], str)):
                    continue
                field = self._fields.get(leaf[0].split(".", 1)[0])
                if field is None or field.type not in ("one2many", "many2many"):
                    continue
                if not field.is_accessible(self.env) or not self.env[field.comodel_name].has_access("read"):
                    raise AccessError(
                        self.env._(
                            "You may not search customers by %(field)s: you cannot read them.",
                            field=field.string,
                        )
                    )
        return super()._search(domain, offset=offset, limit=limit, order=order)
