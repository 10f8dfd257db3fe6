# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Plain-Python side of the data-sharing enforcement: choices-index look-ups, masked forms and
the per-read plans, no ORM (crm_vrm models/vrm_enforcement.py applies them)."""

import contextlib
import re
from collections import Counter, deque
from itertools import compress
from operator import itemgetter, not_

try:
    import phonenumbers
except ImportError:  # pragma: no cover - phone_validation requires it
    phonenumbers = None

MASK = "\u2022"
PHONE_FIELDS = {"phone", "mobile", "phone_sanitized"}
EMAIL_FIELDS = {"email", "email_normalized", "email_formatted"}

# Deny by default: every field of res.partner is mapped to a data category (the register's
# vrm.data.category.field_ids first, then DERIVED_FIELDS), or is one of NOT_PERSONAL; any other
# field, such as one a module installed later adds, is in the "other" category, hidden unless
# the customer shares it. One2many and many2many fields are links to records that have access
# rules of their own, and are not masked here.
NOT_PERSONAL = frozenset(
    {
        # who the record is and how it hangs together: what every screen needs to show a contact
        "id", "name", "display_name", "complete_name", "parent_id", "parent_name", "commercial_partner_id",
        "commercial_company_name", "company_name", "is_company", "company_type", "type", "active",
        "company_id", "user_id", "create_date", "create_uid", "write_date", "write_uid", "self",
        "partner_share", "employee", "is_public", "color", "lang", "tz", "tz_offset", "active_lang_count",
        "im_status", "signup_type", "industry_id", "currency_id",
        # the generated avatars and pictures the chatter and many2one widgets show next to a name
        "avatar_128", "avatar_256", "avatar_512", "avatar_1024", "avatar_1920",
        "image_128", "image_256", "image_512", "image_1024", "image_1920",
        # the discussion and activity machinery (mail.thread, mail.activity.mixin)
        "activity_date_deadline", "activity_exception_decoration", "activity_exception_icon", "activity_state",
        "activity_summary", "activity_type_icon", "activity_type_id", "activity_user_id",
        "my_activity_date_deadline", "has_message", "message_attachment_count", "message_has_error",
        "message_has_error_counter", "message_has_sms_error", "message_is_follower", "message_needaction",
        "message_needaction_counter", "message_partner_ids",
        # the company's own settings for this contact (accounting, pricing), not the person's data
        "property_account_payable_id", "property_account_position_id", "property_account_receivable_id",
        "property_inbound_payment_method_line_id", "property_outbound_payment_method_line_id",
        "property_payment_term_id", "property_supplier_payment_term_id", "property_product_pricelist",
        "specific_property_product_pricelist", "autopost_bills", "invoice_edi_format", "invoice_edi_format_store",
        "invoice_sending_method", "invoice_template_pdf_report_id", "display_invoice_edi_format",
        "display_invoice_template_pdf_report_id", "invoice_warn", "invoice_warn_msg", "is_coa_installed",
        "fiscal_country_codes", "ignore_abnormal_invoice_amount", "ignore_abnormal_invoice_date",
        "is_peppol_edi_format", "is_ubl_format", "available_peppol_eas", "company_registry_label",
        "partner_vat_placeholder", "partner_company_registry_placeholder", "vat_label", "trust",
        "credit_limit", "use_partner_credit_limit", "show_credit_limit",
        # the data-sharing register itself (its own groups guard it)
        "vrm_sharing", "vrm_subject_ref",
    }
)  # fmt: skip
# fields derived from a mapped field, or of modules crm_vrm does not depend on: their category
DERIVED_FIELDS = {
    "contact": frozenset(
        {
            "email_formatted", "email_normalized", "phone_sanitized", "phone_mobile_search", "is_blacklisted",
            "phone_blacklisted", "mobile_blacklisted", "phone_sanitized_blacklisted", "message_bounce",
        }
    ),
    "address": frozenset({"contact_address", "contact_address_inline", "country_code"}),
    "purchase": frozenset(
        {
            "credit", "debit", "debit_limit", "credit_to_invoice", "total_invoiced", "days_sales_outstanding",
            "journal_item_count", "supplier_invoice_count", "customer_rank", "supplier_rank",
            "loyalty_card_count", "payment_token_count", "crm_loyalty_tier_id",
        }
    ),
    "other": frozenset(
        {
            "comment", "ref", "vat", "website", "barcode", "company_registry", "additional_info", "partner_gid",
            "peppol_eas", "peppol_endpoint", "bank_account_count", "same_vat_partner_id",
            "same_company_registry_partner_id", "duplicated_bank_account_partners_count",
        }
    ),
}  # fmt: skip
OTHER = "other"  # the category of every field neither mapped nor NOT_PERSONAL


class VrmScope:
    """What server code says of a read it makes as the user: the purpose it serves and the
    reference (a request's number) for the access log. Given in the context under "vrm_scope";
    only an instance of this class counts, which JSON from a client can never be."""

    __slots__ = ("purpose", "reference")

    def __init__(self, purpose=None, reference=None):
        self.purpose = purpose
        self.reference = reference


def scope_of(context):
    """The VrmScope of a context, or an empty one (any other value under the key is ignored)."""
    scope = context.get("vrm_scope")
    return scope if isinstance(scope, VrmScope) else _NO_SCOPE


_NO_SCOPE = VrmScope()


def mask_value(fname, value):
    """The masked form of a value: phone +44 •••• ••12, e-mail j•••@example.com, else False."""
    if not value or not isinstance(value, str):
        return False
    if fname in EMAIL_FIELDS or "email" in fname:
        match = re.search(r"([^\s<@\"]+)@([^\s>\"]+)", value)
        if not match:
            return MASK * 3
        return f"{match.group(1)[0]}{MASK * 3}@{match.group(2)}"
    if fname in PHONE_FIELDS or "phone" in fname or fname == "mobile":
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
    """How mask_value masks a field: "email", "phone" or None (no masked form: False)."""
    if fname in EMAIL_FIELDS or "email" in fname:
        return "email"
    if fname in PHONE_FIELDS or "phone" in fname or fname == "mobile":
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

    __slots__ = (
        "_specs",
        "categories",
        "exempt",
        "exempt_ids",
        "logged",
        "plan",
        "purpose_id",
        "recipient_id",
        "restricted",
        "restricted_codes",
    )

    def __init__(self, recipient_id, recipient_type, exempt, purpose_id, plan):
        self.recipient_id = recipient_id
        # every reader's view goes to the access log, company staff's included
        self.logged = True
        # partners never masked: internal users', the companies' and the user's own
        self.exempt = exempt
        self.exempt_ids = sorted(exempt)  # the SQL parameter of _field_to_sql, made once
        self.purpose_id = purpose_id
        # {field name: (category code, category id, always shared?)}
        self.plan = plan
        category_ids = {code: category_id for code, category_id, _always in plan.values()}
        keys = _sharing_keys(purpose_id, recipient_id, recipient_type, category_ids)
        # {category code: (code, own key, type key)} (see _sharing_keys)
        self.categories = {key[0]: key for key in keys}
        # the fields whose category the choices decide (the read needs the choices index)
        self.restricted = frozenset(fname for fname, (_code, _id, always) in plan.items() if not always)
        self.restricted_codes = frozenset(plan[fname][0] for fname in self.restricted)
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
