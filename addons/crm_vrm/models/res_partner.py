# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextlib
import re
import uuid
from collections import Counter, deque
from datetime import date, datetime
from itertools import compress, repeat
from operator import itemgetter, not_

from odoo import api, fields, models, tools
from odoo.exceptions import MissingError, UserError
from odoo.osv import expression

try:
    import phonenumbers
except ImportError:  # pragma: no cover - phone_validation requires it
    phonenumbers = None

MASK = "\u2022"
PHONE_FIELDS = {"phone", "mobile", "phone_sanitized"}
EMAIL_FIELDS = {"email", "email_normalized", "email_formatted"}


def _sharing_keys(purpose_id, recipient_id, recipient_type, category_ids):
    """[(category code, key of the recipient's own choice, key of its type's choice)] to look up
    in a partner's choices index (vrm_sharing) for a purpose; category_ids: {code: id}."""
    return [
        (code, f" {purpose_id}.{category_id}.{recipient_id}:", f" {purpose_id}.{category_id}.{recipient_type}:")
        for code, category_id in category_ids.items()
    ]


def _hidden_codes(index, keys):
    """The category codes of keys (see _sharing_keys) a choices index does not allow."""
    if not index:
        return frozenset(code for code, _own_key, _type_key in keys)
    codes = set()
    for code, own_key, type_key in keys:
        # the recipient's own choice wins over its type's; no choice is a denial
        at = index.find(own_key)
        if at >= 0:
            allowed = index[at + len(own_key)] == "1"
        else:
            at = index.find(type_key)
            allowed = at >= 0 and index[at + len(type_key)] == "1"
        if not allowed:
            codes.add(code)
    return frozenset(codes)


def _mask_kind(fname):
    """How _vrm_mask_value masks a field: "email", "phone" or None (no masked form: False)."""
    if fname in EMAIL_FIELDS or "email" in fname:
        return "email"
    if fname in PHONE_FIELDS or "phone" in fname:
        return "phone"
    return None


_ROW_ID = itemgetter("id")
_EXEMPT = object()  # the choices index given to partners never masked (see _ReadPlan.exempt)
_MISSING = object()
_MEMO_SIZE = 1024  # distinct choices indexes (and field lists) remembered per user and purpose
_NOTHING_HIDDEN = (frozenset(), {}, ())


def _consume(iterator):
    """Run an iterator to its end in C (the itertools "consume" recipe)."""
    deque(iterator, maxlen=0)


def _with_values(rows, ids, first, rest):
    """The ids of rows (read dicts; ids in the same order) holding a value in a category's
    fields: first, the getter of its first field, else rest, the names of the others. Column-
    wise: this runs for each category on each page a franchise is shown."""
    values = list(map(first, rows))
    if all(values):
        return ids
    shown = list(compress(ids, values))
    if rest:
        shown += [row["id"] for row in compress(rows, map(not_, values)) if any(row[fname] for fname in rest)]
    return shown


class _ReadSpec:
    """How an enforced read of one list of fields masks and logs, for one user and purpose
    (see _ReadPlan.spec): the work that does not depend on the rows, done once."""

    __slots__ = ("_decisions", "_formatted", "always", "field_masks", "fnames", "keys", "restricted")

    def __init__(self, restricted, always, field_masks, keys, fnames):
        # restricted: [(code, category id, first field's getter, other fields, fields without a
        # masked form)]
        self.restricted = restricted
        self.fnames = fnames
        self._formatted = {frozenset(): fnames}
        # always: [(category id, first field's getter, other fields)]; None: nothing is logged
        self.always = always
        # {code: ({field: False} for fields without a masked form, (fields with one: e-mail, phone))}
        self.field_masks = field_masks
        self.keys = keys  # see _sharing_keys
        self._decisions = {_EXEMPT: _NOTHING_HIDDEN}

    def decision(self, index):
        """(hidden category codes, {field: False}, (fields to mask)) for a choices index,
        remembered per index: customers share a few."""
        decision = self._decisions.get(index)
        if decision is None:
            codes = _hidden_codes(index, self.keys)
            blank, masked = {}, ()
            for code in codes:
                blank.update(self.field_masks[code][0])
                masked += self.field_masks[code][1]
            decision = (codes, blank, masked)
            if len(self._decisions) >= _MEMO_SIZE:
                self._decisions.clear()
                self._decisions[_EXEMPT] = _NOTHING_HIDDEN
            self._decisions[index] = decision
        return decision

    def deferred(self, indexes):
        """The codes of the restricted categories most rows of a page (their choices indexes)
        hide: their fields without a masked form are best formatted only for the rows that
        show them (see apply), not formatted for all rows and then blanked."""
        if not any(self.decision(index)[0] for index in set(indexes)):
            return frozenset()  # every row shows everything
        counts = Counter(indexes)
        total = len(indexes)
        return frozenset(
            code
            for code, _category_id, _first, _rest, names in self.restricted
            if names and 2 * sum(count for index, count in counts.items() if code in self.decision(index)[0]) > total
        )

    def formatted(self, deferred):
        """The fields the ORM formats for every row when the categories deferred are not."""
        fnames = self._formatted.get(deferred)
        if fnames is None:
            skipped = {fname for code, *_rest, names in self.restricted if code in deferred for fname in names}
            fnames = self._formatted[deferred] = [fname for fname in self.fnames if fname not in skipped]
        return fnames

    def apply(self, rows, ids, indexes, mask, fill, deferred):  # noqa: PLR0917 - internal, called once
        """Complete and mask rows (read dicts of the fields formatted(deferred); ids and choices
        indexes in the same order): the fields without a masked form of the categories deferred
        are filled in (fill(rows, ids, field names)) only where the customer's choices show
        them; hidden values are set to False or masked; all decided once per distinct index and
        applied a page at a time, not per row and field. Return [(category id, [ids of the rows
        showing a value of it])] to log."""
        decisions = {index: self.decision(index) for index in set(indexes)} if self.restricted else {}
        blanks = {index: decision[1] for index, decision in decisions.items()}
        if any(blanks.values()):
            _consume(map(dict.update, rows, map(blanks.__getitem__, indexes)))
        shown = []
        for code, category_id, first, rest, names in self.restricted:
            hiding = {index for index, decision in decisions.items() if code in decision[0]}
            if len(hiding) == len(decisions):
                continue
            visible_rows, visible_ids = rows, ids
            if hiding:
                visible = list(map(not_, map(hiding.__contains__, indexes)))
                visible_rows, visible_ids = list(compress(rows, visible)), list(compress(ids, visible))
            if code in deferred:
                fill(visible_rows, visible_ids, names)
            if self.always is not None:
                shown.append((category_id, _with_values(visible_rows, visible_ids, first, rest)))
        for category_id, first, rest in self.always or ():
            shown.append((category_id, _with_values(rows, ids, first, rest)))
        masked = {index: decision[2] for index, decision in decisions.items() if decision[2]}
        if masked:
            for row, index in zip(rows, indexes, strict=True):
                for fname in masked.get(index, ()):
                    value = row[fname]
                    row[fname] = mask(fname, value) if value and isinstance(value, str) else False
        return shown


class _ReadPlan:
    """All an enforced read of res.partner looks up for one user and purpose, cached per user
    and purpose (res.partner _vrm_read_plan, cleared with the default cache)."""

    __slots__ = ("_specs", "categories", "exempt", "logged", "plan", "purpose_id", "recipient_id", "restricted")

    def __init__(self, recipient_id, recipient_type, exempt, purpose_id, plan):
        self.recipient_id = recipient_id
        # what a recipient outside the company is shown goes to the access log
        self.logged = recipient_type != "company"
        # partners never masked: internal users', the companies' and the user's own
        self.exempt = exempt
        self.purpose_id = purpose_id
        # {field name: (category code, category id, always shared?)}
        self.plan = plan
        category_ids = {code: category_id for code, category_id, _always in plan.values()}
        keys = _sharing_keys(purpose_id, recipient_id, recipient_type, category_ids)
        # {category code: (code, own key, type key)} (see _sharing_keys)
        self.categories = {key[0]: key for key in keys}
        # the fields whose category the choices decide (the read needs the choices index)
        self.restricted = frozenset(fname for fname, (_code, _id, always) in plan.items() if not always)
        self._specs = {}

    def spec(self, fnames, fields):
        """The _ReadSpec of a list of fields read (fields: the model's), or None when none of
        them is masked or logged."""
        key = tuple(fnames)
        spec = self._specs.get(key, _MISSING)
        if spec is not _MISSING:
            return spec
        restricted, always = {}, {}
        for fname in fnames:
            entry = self.plan.get(fname)
            if entry and (self.logged or not entry[2]):
                (always if entry[2] else restricted).setdefault(entry[0], []).append(fname)
        spec = None
        if restricted or always:
            field_masks = {
                code: (
                    {fname: False for fname in names if not _mask_kind(fname)},
                    tuple(fname for fname in names if _mask_kind(fname)),
                )
                for code, names in restricted.items()
            }
            deferred = {
                code: tuple(fname for fname in blank if fields[fname].type != "properties")
                for code, (blank, _masked) in field_masks.items()
            }
            spec = _ReadSpec(
                [
                    (
                        code,
                        self.plan[names[0]][1],
                        itemgetter(names[0]),
                        names[1:],
                        deferred[code],
                    )
                    for code, names in restricted.items()
                ],
                [(self.plan[names[0]][1], itemgetter(names[0]), names[1:]) for names in always.values()]
                if self.logged
                else None,
                field_masks,
                [self.categories[code] for code in restricted],
                list(fnames),
            )
        if len(self._specs) >= _MEMO_SIZE:
            self._specs.clear()
        self._specs[key] = spec
        return spec


class ResPartner(models.Model):
    _inherit = "res.partner"

    vrm_subject_ref = fields.Char(
        string="Data subject pseudonym",
        copy=False,
        readonly=True,
        groups="crm_vrm.group_vrm_user",
        help="Random identifier used in consent receipts instead of the customer's name.",
    )
    vrm_preference_ids = fields.One2many(
        comodel_name="vrm.preference",
        inverse_name="partner_id",
        string="Data sharing choices",
        groups="crm_vrm.group_vrm_user",
    )
    vrm_sharing = fields.Char(
        string="Data sharing choices (index)",
        compute="_compute_vrm_sharing",
        store=True,
        prefetch=False,
        groups="crm_vrm.group_vrm_user",
        help="The customer's choices in one line (\" <purpose id>.<category id>.<recipient id or "
        'type>:<1 allowed, 0 denied>" each), kept by the ORM from the choices: enforced reads get it '
        "in the same query as the customer instead of asking for the choices separately.",
    )
    vrm_consent_event_ids = fields.One2many(
        comodel_name="vrm.consent.event",
        inverse_name="partner_id",
        string="Consent history",
        groups="crm_vrm.group_vrm_user",
    )

    @api.depends(
        "vrm_preference_ids.allowed",
        "vrm_preference_ids.recipient_id",
        "vrm_preference_ids.recipient_type",
        "vrm_preference_ids.purpose_id",
        "vrm_preference_ids.category_id",
    )
    def _compute_vrm_sharing(self):
        for partner in self:
            partner.vrm_sharing = "".join(
                sorted(
                    f" {pref.purpose_id.id}.{pref.category_id.id}.{pref.recipient_id.id or pref.recipient_type}"
                    f":{int(pref.allowed)}"
                    for pref in partner.vrm_preference_ids
                )
            )

    # register look-ups ------------------------------------------------------------------------

    def _vrm_subject_ref(self):
        """The pseudonym of this customer in consent receipts, created on first use."""
        self.ensure_one()
        partner = self.sudo()
        if not partner.vrm_subject_ref:
            partner.vrm_subject_ref = str(uuid.uuid4())
        return partner.vrm_subject_ref

    @api.model
    def _vrm_recipient_record(self, recipient):
        """Accept a vrm.recipient record, an id or an XML id."""
        if isinstance(recipient, str):
            recipient = self.env.ref(recipient)
        elif isinstance(recipient, int):
            recipient = self.env["vrm.recipient"].browse(recipient)
        return recipient.sudo()

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
        if not value or not isinstance(value, str):
            return False
        field = self._fields.get(fname)
        widget_phone = fname in PHONE_FIELDS or (field is not None and "phone" in fname)
        if fname in EMAIL_FIELDS or (field is not None and "email" in fname):
            match = re.search(r"([^\s<@\"]+)@([^\s>\"]+)", value)
            if not match:
                return MASK * 3
            return f"{match.group(1)[0]}{MASK * 3}@{match.group(2)}"
        if widget_phone:
            digits = re.sub(r"\D", "", value)
            prefix = ""
            if value.strip().startswith("+"):
                prefix = "+" + digits[:2]
                if phonenumbers:
                    with contextlib.suppress(phonenumbers.NumberParseException):
                        prefix = f"+{phonenumbers.parse(value, None).country_code}"
                prefix += " "
            return f"{prefix}{MASK * 4} {MASK * 2}{digits[-2:]}"
        return False

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
            [((*key, category_ids[code], purpose_id, reference), pids) for code, pids in by_code.items()]
        )

    # changing choices -------------------------------------------------------------------------

    def _vrm_set_preference(  # noqa: PLR0917 - the contract's signature
        self,
        recipient,
        purpose_code,
        category_code,
        allowed,
        channel="staff",
        request_meta=None,
    ):
        """Record a choice (recipient record, or a recipient type for every recipient of that
        type) as an immutable, receipted consent event; returns the event."""
        self.ensure_one()
        request_meta = request_meta or {}
        if isinstance(recipient, str) and recipient in ("company", "franchise", "partner"):
            recipient_type, recipient = recipient, self.env["vrm.recipient"].browse()
        else:
            recipient = self._vrm_recipient_record(recipient)
            recipient_type = recipient.recipient_type
        purpose = self.env["vrm.purpose"]._vrm_get(purpose_code)
        category = self.env["vrm.data.category"]._vrm_get(category_code)
        if purpose.legal_basis == "contract" and category.contract_minimum and not allowed:
            raise UserError(
                self.env._(
                    "%(purpose)s of %(category)s is needed to serve you and is always on.",
                    purpose=purpose.name,
                    category=category.name.lower(),
                )
            )
        prefs = self.env["vrm.preference"].sudo()
        pref = prefs.search(
            [
                ("partner_id", "=", self.id),
                ("recipient_type", "=", recipient_type),
                ("recipient_id", "=", recipient.id),
                ("purpose_id", "=", purpose.id),
                ("category_id", "=", category.id),
            ],
            limit=1,
        )
        old_value = ("allowed" if pref.allowed else "denied") if pref else "unset"
        new_value = "allowed" if allowed else "denied"
        if pref:
            pref.allowed = bool(allowed)
        else:
            prefs.create(
                {
                    "partner_id": self.id,
                    "recipient_type": recipient_type,
                    "recipient_id": recipient.id,
                    "purpose_id": purpose.id,
                    "category_id": category.id,
                    "allowed": bool(allowed),
                }
            )
        params = self.env["ir.config_parameter"].sudo()
        event = (
            self.env["vrm.consent.event"]
            .sudo()
            .create(
                {
                    "partner_id": self.id,
                    "recipient_type": recipient_type,
                    "recipient_id": recipient.id,
                    "purpose_id": purpose.id,
                    "category_id": category.id,
                    "old_value": old_value,
                    "new_value": new_value,
                    "channel": channel,
                    "user_id": self.env.uid,
                    "terms_version": request_meta.get("terms_version")
                    or params.get_param("crm_vrm.terms_version", "1.0"),
                    "ip_address": request_meta.get("ip"),
                    "user_agent": (request_meta.get("user_agent") or "")[:512] or False,
                }
            )
        )
        self._vrm_sync_blacklists(event)
        self._vrm_on_consent_changed(event)
        return event

    def _vrm_sync_blacklists(self, events):
        """Marketing choices towards the company drive mail.blacklist and phone.blacklist."""
        for event in events:
            if (
                event.purpose_id.code != "marketing"
                or event.category_id.code != "contact"
                or event.recipient_type != "company"
            ):
                continue
            partner = event.partner_id.sudo()
            numbers = partner._vrm_sanitized_numbers()
            mail_bl = self.env["mail.blacklist"].sudo()
            phone_bl = self.env["phone.blacklist"].sudo()
            if event.new_value == "denied":
                if partner.email_normalized:
                    mail_bl._add(partner.email_normalized, message="Denied marketing (VRM)")
                for number in numbers:
                    phone_bl._add([number], message="Denied marketing (VRM)")
            else:
                if partner.email_normalized:
                    mail_bl._remove(partner.email_normalized, message="Allowed marketing (VRM)")
                for number in numbers:
                    phone_bl._remove([number], message="Allowed marketing (VRM)")

    def _vrm_sanitized_numbers(self):
        """The E.164 forms of this partner's phone numbers (for the phone blacklist)."""
        self.ensure_one()
        numbers = {self._phone_format(number=n) for n in (self.phone, self.mobile) if n}
        return {n for n in numbers if n}

    def _vrm_on_consent_changed(self, events):
        """Hook called after every change of choices (crm_api sends consent.changed)."""
        return True

    @api.model
    def _cron_vrm_rebuild_sharing(self):
        """Daily safety net: rebuild the choices index of the customers whose choices were
        changed outside the ORM (SQL scripts); returns how many were stale."""
        return self._vrm_rebuild_sharing()

    @api.model
    def _vrm_rebuild_sharing(self):
        """Set vrm_sharing, in SQL, to what _compute_vrm_sharing makes of the stored choices
        wherever it differs (same keys, sorted by code point like Python); returns how many
        customers changed. A stale index may show what a customer no longer shares: enforced
        reads trust it."""
        self.env["vrm.preference"].flush_model()
        self.flush_model(["vrm_sharing"])
        self.env.cr.execute(
            """
            WITH choice AS (
                SELECT partner_id,
                       ' ' || purpose_id || '.' || category_id || '.'
                       || COALESCE(recipient_id::text, recipient_type) || ':'
                       || COALESCE(allowed, FALSE)::int AS item
                  FROM vrm_preference
            ), expected AS (
                SELECT partner_id, string_agg(item, '' ORDER BY item COLLATE "C") AS sharing
                  FROM choice
                 GROUP BY partner_id
            )
            UPDATE res_partner partner
               SET vrm_sharing = expected.sharing
              FROM expected
             WHERE expected.partner_id = partner.id
               AND partner.vrm_sharing IS DISTINCT FROM expected.sharing
            RETURNING partner.id
            """
        )
        changed = [row[0] for row in self.env.cr.fetchall()]
        self.env.cr.execute(
            """
            UPDATE res_partner partner
               SET vrm_sharing = NULL
             WHERE COALESCE(partner.vrm_sharing, '') <> ''
               AND NOT EXISTS (SELECT 1 FROM vrm_preference pref WHERE pref.partner_id = partner.id)
            RETURNING partner.id
            """
        )
        changed += [row[0] for row in self.env.cr.fetchall()]
        if changed:
            self.browse(changed).invalidate_recordset(["vrm_sharing"])
        return len(changed)

    # rights requests --------------------------------------------------------------------------

    def _vrm_export_data(self):
        """All this customer's data as a dict; other addons add their own key."""
        self.ensure_one()
        partner = self.sudo()
        fnames = [
            "name",
            "email",
            "phone",
            "mobile",
            "street",
            "street2",
            "zip",
            "city",
            "state_id",
            "country_id",
            "lang",
            "function",
            "website",
            "vat",
            "create_date",
        ]
        (values,) = partner.read(fnames)
        for key, value in values.items():
            if isinstance(value, tuple):
                values[key] = value[1]
            elif isinstance(value, datetime | date):
                values[key] = value.isoformat()
        prefs = self.env["vrm.preference"].sudo().search([("partner_id", "=", self.id)])
        events = self.env["vrm.consent.event"].sudo().search([("partner_id", "=", self.id)])
        logs = self.env["vrm.access.log"].sudo().search([("partner_id", "=", self.id)])
        agreements = self.env["vrm.agreement.record"].sudo().search([("partner_id", "=", self.id)])
        requests = self.env["vrm.rights.request"].sudo().search([("partner_id", "=", self.id)])
        return {
            "partner": values,
            "preferences": [
                {
                    "recipient": p.recipient_id.name or p.recipient_type,
                    "purpose": p.purpose_id.code,
                    "category": p.category_id.code,
                    "allowed": p.allowed,
                }
                for p in prefs
            ],
            "consent_events": [
                {
                    "date": fields.Datetime.to_string(e.event_date),
                    "summary": e.summary,
                    "old_value": e.old_value,
                    "new_value": e.new_value,
                    "channel": e.channel,
                    "receipt": e.receipt_uuid,
                }
                for e in events
            ],
            "access_log": [
                {
                    "date": fields.Datetime.to_string(log.log_date),
                    "recipient": log.recipient_id.name,
                    "category": log.category_id.code,
                    "purpose": log.purpose_id.code,
                    "reference": log.reference,
                }
                for log in logs
            ],
            "agreements": [
                {
                    "agreement": a.agreement_id.code,
                    "version": a.agreement_version,
                    "state": a.state,
                    "proffered": fields.Datetime.to_string(a.proffer_date),
                    "sha256": a.record_hash,
                }
                for a in agreements
            ],
            "rights_requests": [
                {
                    "reference": r.name,
                    "type": r.request_type,
                    "state": r.state,
                    "requested": fields.Datetime.to_string(r.request_date),
                    "deadline": fields.Date.to_string(r.deadline_date),
                }
                for r in requests
            ],
        }

    def _vrm_anonymize(self):
        """Erase this customer's identifying data; keep statistics and the pseudonymous history."""
        for partner in self.sudo().with_context(tracking_disable=True, mail_notrack=True):
            emails = {e for e in (partner.email_normalized,) if e}
            numbers = partner._vrm_sanitized_numbers()
            partner._vrm_subject_ref()
            messages = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        "|",
                        "&",
                        ("model", "=", "res.partner"),
                        ("res_id", "=", partner.id),
                        ("author_id", "=", partner.id),
                    ]
                )
            )
            messages.attachment_ids.unlink()
            messages.tracking_value_ids.unlink()
            self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)]).unlink()
            messages.write({"body": "", "subject": False, "email_from": False, "reply_to": False})
            messages.filtered(lambda m, p=partner: m.model == p._name and m.res_id == p.id).write(
                {"record_name": False}
            )
            self.env["ir.attachment"].sudo().search(
                [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
            ).unlink()
            pseudonym = self.env._("Erased customer %(ref)s", ref=partner.vrm_subject_ref[:8])
            partner.write(
                {
                    "name": pseudonym,
                    "email": False,
                    "phone": False,
                    "mobile": False,
                    "street": False,
                    "street2": False,
                    "zip": False,
                    "city": False,
                    "state_id": False,
                    "title": False,
                    "function": False,
                    "website": False,
                    "vat": False,
                    "company_registry": False,
                    "company_name": False,
                    "comment": False,
                    "ref": False,
                    "barcode": False,
                    "partner_latitude": 0.0,
                    "partner_longitude": 0.0,
                    "image_1920": False,
                }
            )
            for user in partner.with_context(active_test=False).user_ids:
                user.write(
                    {
                        "login": f"erased-{partner.vrm_subject_ref}",
                        "signature": False,
                        "active": False,
                    }
                )
            if emails:
                self.env["mail.blacklist"].sudo().with_context(active_test=False).search(
                    [("email", "in", list(emails))]
                ).unlink()
            if numbers:
                self.env["phone.blacklist"].sudo().with_context(active_test=False).search(
                    [("number", "in", list(numbers))]
                ).unlink()
            # consent history stays (immutable) but loses what identified the subject's device
            self.env["vrm.consent.event"].flush_model()
            self.env.cr.execute(
                "UPDATE vrm_consent_event SET ip_address = NULL, user_agent = NULL WHERE partner_id = %s",
                [partner.id],
            )
            self.env["vrm.consent.event"].invalidate_model(["ip_address", "user_agent"])
        return True

    # portal ------------------------------------------------------------------------------------

    def _vrm_portal_matrix(self):
        """The cards of "My data sharing": per recipient (and per recipient type), per purpose,
        each category with its effective choice, whether it is locked on and where it comes from."""
        self.ensure_one()
        purposes = self.env["vrm.purpose"].sudo().search([])
        categories = self.env["vrm.data.category"].sudo().search([])
        recipients = self.env["vrm.recipient"].sudo().search([])
        prefs = self.env["vrm.preference"].sudo().search([("partner_id", "=", self.id)])
        own = {(p.recipient_id.id, p.purpose_id.id, p.category_id.id): p.allowed for p in prefs}
        grouped = {
            (p.recipient_type, p.purpose_id.id, p.category_id.id): p.allowed for p in prefs if not p.recipient_id
        }
        type_labels = {
            "franchise": self.env._("All franchises"),
            "partner": self.env._("All partners"),
        }
        cards = []
        targets = []
        for rtype in ("company", "franchise", "partner"):
            members = recipients.filtered(lambda r, t=rtype: r.recipient_type == t)
            if not members:
                continue
            if rtype != "company" and len(members) > 1:
                targets.append((rtype, self.env["vrm.recipient"], type_labels[rtype]))
            targets += [(rtype, r, r.name) for r in members]
        for rtype, recipient, title in targets:
            card = {
                "key": f"r:{recipient.id}" if recipient else f"t:{rtype}",
                "title": title,
                "description": recipient.description
                or (
                    self.env._("Applies to each of them unless you choose otherwise for one.") if not recipient else ""
                ),
                "is_group": not recipient,
                "purposes": [],
                "sees": [],
            }
            for purpose in purposes:
                rows = []
                for category in categories:
                    locked = purpose.legal_basis == "contract" and category.contract_minimum
                    key = (purpose.id, category.id)
                    source = "default"
                    allowed = False
                    if locked:
                        allowed, source = True, "contract"
                    elif recipient and (recipient.id, *key) in own:
                        allowed, source = own[(recipient.id, *key)], "own"
                    elif (rtype, *key) in grouped:
                        allowed, source = grouped[(rtype, *key)], "group"
                    rows.append(
                        {
                            "category": category,
                            "allowed": allowed,
                            "locked": locked,
                            "source": source,
                        }
                    )
                shared = [r["category"].name.lower() for r in rows if r["allowed"]]
                if shared:
                    card["sees"].append(
                        self.env._(
                            "%(what)s for %(why)s",
                            what=", ".join(shared),
                            why=purpose.name.lower(),
                        )
                    )
                card["purposes"].append({"purpose": purpose, "rows": rows})
            cards.append(card)
        return cards

    def _vrm_portal_set(self, key, purpose_code, category_code, allowed, request_meta=None):
        """Apply one switch of the portal page (key "r:<recipient id>" or "t:<type>")."""
        self.ensure_one()
        kind, _sep, value = (key or "").partition(":")
        if kind == "t" and value in ("franchise", "partner"):
            recipient = value
        elif kind == "r" and value.isdigit():
            recipient = self.env["vrm.recipient"].sudo().search([("id", "=", int(value))])
            if not recipient:
                raise UserError(self.env._("This recipient no longer exists."))
        else:
            raise UserError(self.env._("Unknown recipient."))
        return self._vrm_set_preference(
            recipient,
            purpose_code,
            category_code,
            bool(allowed),
            channel="portal",
            request_meta=request_meta,
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
        """(recipient, purpose code) whose sharing limits what the current user is shown, or None
        when nothing is limited: sudo, superuser, privacy officers, users without a recipient."""
        env = self.env
        if env.su or env.context.get("vrm_no_enforcement"):
            return None
        state = env["res.users"]._vrm_enforcement_state()
        if state is None:
            return None
        return env["vrm.recipient"].sudo().browse(state[0]), env.context.get("vrm_purpose") or "service"

    @api.model
    @tools.ormcache("self.env.uid", "purpose_code")
    def _vrm_read_plan(self, purpose_code):
        """None when the current user is not limited, else the _ReadPlan of the user and purpose:
        all an enforced read looks up, in one cached call."""
        state = self.env["res.users"]._vrm_enforcement_state()
        if state is None:
            return None
        recipient_id, recipient_type, staff, own = state
        purpose_id, plan = self.env["vrm.data.category"]._vrm_plan(self._name, purpose_code)
        return _ReadPlan(recipient_id, recipient_type, staff | {own}, purpose_id, plan)

    def _vrm_current_read_plan(self):
        """The _vrm_read_plan of the current user for the context's purpose."""
        return self._vrm_read_plan(self.env.context.get("vrm_purpose") or "service")

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
        if not fields_to_fetch or env.su or env.context.get("vrm_no_enforcement"):
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
        for the user: its group does not apply (a user's own request for it was checked there)."""
        if not self.env.su and self._fields["vrm_sharing"] in fields:
            return super(ResPartner, self.sudo())._fetch_query(query, fields).with_env(self.env)
        return super()._fetch_query(query, fields)

    def _read_format(self, fnames, load="_classic_read"):
        """Mask the categories the current user's recipient may not see (read, search_read,
        web_read); log what a recipient outside the company is shown. Values hidden without a
        masked form are not formatted at all, only set to False."""
        env = self.env
        if env.su or env.context.get("vrm_no_enforcement"):
            return super()._read_format(fnames, load=load)
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
            tail = (read_plan.purpose_id, env.context.get("vrm_reference"))
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
        if recipient.recipient_type != "company":
            reference = self.env.context.get("vrm_reference")
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

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """A customer is not found by a value the user may not see."""
        field_map = self.env["vrm.data.category"]._vrm_field_map(self._name) if domain else {}
        fnames = {
            leaf[0].split(".")[0]
            for leaf in (domain if field_map else [])
            if expression.is_leaf(leaf) and isinstance(leaf[0], str)
        } & set(field_map)
        enforcement = self._vrm_enforcement() if fnames else None
        if enforcement:
            restricted = self._vrm_restricted_categories(enforcement[1], fnames)
            for code in restricted:
                domain = expression.AND([domain, self._vrm_visible_domain(enforcement[0], enforcement[1], code)])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _vrm_visible_domain(self, recipient, purpose_code, category_code):
        """Domain of the partners whose category recipient may see for purpose (or exempt)."""
        purpose_id, category_id, _always = self.env["vrm.data.category"]._vrm_rule(purpose_code, category_code)
        self.env["vrm.preference"].flush_model()
        self.env.cr.execute(
            """
            SELECT DISTINCT pref.partner_id FROM vrm_preference pref
             WHERE pref.purpose_id = %(purpose)s AND pref.category_id = %(category)s
               AND (pref.recipient_id = %(recipient)s
                    OR (pref.recipient_id IS NULL AND pref.recipient_type = %(rtype)s))
            """,
            {
                "purpose": purpose_id,
                "category": category_id,
                "recipient": recipient.id,
                "rtype": recipient.recipient_type,
            },
        )
        partner_ids = {row[0] for row in self.env.cr.fetchall()}
        exempt = self._vrm_exempt_partner_ids()  # after fetching: it may query the cursor itself
        candidates = self.browse(partner_ids - exempt).sudo()
        allowed = candidates._vrm_filter_allowed(recipient, purpose_code, category_code)
        return [("id", "in", list(exempt | set(allowed.ids)))]

    # MyTerms ----------------------------------------------------------------------------------

    def _vrm_proffer_agreement(self, agreement):
        """The customer proffers a standard agreement; the company's policy answers it at once
        or sends it to the privacy officer. Returns the signed agreement record."""
        self.ensure_one()
        agreement = agreement.sudo()
        if not agreement.active:
            raise UserError(self.env._("This agreement is no longer offered."))
        Record = self.env["vrm.agreement.record"].sudo()
        if Record.search_count(
            [
                ("partner_id", "=", self.id),
                ("agreement_id", "=", agreement.id),
                ("state", "in", ("review", "accepted")),
            ]
        ):
            raise UserError(self.env._("You have already proffered this agreement."))
        record = Record.create(
            {
                "partner_id": self.id,
                "agreement_id": agreement.id,
                "agreement_version": agreement.version,
            }
        )
        if agreement.policy == "review":
            record._vrm_seal()
        else:
            record._vrm_decide(agreement.policy == "accept")
        return record
