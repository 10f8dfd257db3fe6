# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import json
import math

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_round


class CrmLoyaltyPosting(models.Model):
    _name = "crm.loyalty.posting"
    _description = "Loyalty Posting from an Outside System"
    _order = "id desc"
    _rec_name = "external_ref"

    source = fields.Char(required=True, readonly=True, help="System that posted (till, web shop, fuel station...).")
    external_ref = fields.Char(string="External reference", required=True, readonly=True)
    payload_hash = fields.Char(required=True, readonly=True)
    kind = fields.Selection(selection=[("purchase", "Purchase"), ("refund", "Refund")], required=True, readonly=True)
    card_id = fields.Many2one(comodel_name="loyalty.card", required=True, readonly=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="card_id.partner_id", store=True)
    program_id = fields.Many2one(related="card_id.program_id", store=True)
    company_id = fields.Many2one(related="card_id.company_id", store=True)
    amount = fields.Float(readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    channel_id = fields.Many2one(comodel_name="crm.loyalty.channel", readonly=True, ondelete="restrict")
    date = fields.Date(readonly=True)
    qualifying_points = fields.Float(string="Tier points", readonly=True)
    spendable_points = fields.Float(readonly=True)
    original_id = fields.Many2one(
        comodel_name="crm.loyalty.posting", string="Refund of", readonly=True, index="btree_not_null"
    )
    refund_id = fields.Many2one(
        comodel_name="crm.loyalty.posting", string="Refunded by", readonly=True, help="The latest refund of it."
    )
    refund_ids = fields.One2many(
        comodel_name="crm.loyalty.posting", inverse_name="original_id", string="Refunds", readonly=True
    )
    refunded_amount = fields.Float(readonly=True, help="Part of the purchase amount refunded so far.")
    history_id = fields.Many2one(comodel_name="loyalty.history", string="Statement row", readonly=True)

    _sql_constraints = [
        (
            "source_ref_uniq",
            "UNIQUE(source, external_ref)",
            "This external reference was already posted by this source.",
        ),
        (
            "refund_within_amount",
            "CHECK(refunded_amount IS NULL OR refunded_amount <= amount + 0.005)",
            "A purchase cannot be refunded for more than its amount.",
        ),
    ]

    def init(self):
        """Several partial refunds of one purchase are allowed: the old one-refund constraint goes.

        Purchases refunded before partial refunds existed were refunded in full: they are marked so.
        """
        self.env.cr.execute(
            "ALTER TABLE crm_loyalty_posting DROP CONSTRAINT IF EXISTS crm_loyalty_posting_single_refund"
        )
        self.env.cr.execute(
            """UPDATE crm_loyalty_posting SET refunded_amount = amount
                WHERE refund_id IS NOT NULL AND refunded_amount IS NULL"""
        )

    # ------------------------------------------------------------------ API
    @api.model
    def post(self, vals):
        """Post a purchase or a refund from an outside system; idempotent per (source, external_ref).

        Returns {"posting_id", "card_id", "member_number", "qualifying_points", "spendable_points",
        "balance", "tier", "replayed"}.
        """
        return self._crm_post(vals)

    @api.model
    def _crm_post(self, vals, backfill=False):
        """``post``; ``backfill`` (the manager's wizard only, never reachable over RPC) lifts the date guard."""
        self.check_access("create")  # tills and the API post; portal users never reach a balance
        vals = dict(vals or {})
        kind = vals.get("kind") or "purchase"
        source = (vals.get("source") or "").strip()
        ref = (vals.get("external_ref") or "").strip()
        if kind not in ("purchase", "refund"):
            raise ValidationError(self.env._("The kind must be “purchase” or “refund”, not “%(kind)s”.", kind=kind))
        if not source or not ref:
            raise ValidationError(self.env._("A posting needs its source and its external reference."))
        card = self._crm_find_card(vals.get("member"))
        self._crm_check_program(card.program_id)
        card._crm_lock()
        payload_hash = self._crm_payload_hash(vals, kind)
        Posting = self.sudo()
        existing = Posting.search([("source", "=", source), ("external_ref", "=", ref)], limit=1)
        if existing:
            if existing.payload_hash != payload_hash or existing.card_id != card:
                raise ValidationError(
                    self.env._(
                        "Reference %(ref)s of %(system)s was already posted with different details; "
                        "send a new reference for a new transaction.",
                        ref=ref,
                        system=source,
                    )
                )
            return existing._crm_result(replayed=True)
        program = card.program_id
        amount = self._crm_amount(vals.get("amount"))
        currency = self._crm_currency(vals.get("currency"), program)
        day = fields.Date.to_date(vals.get("date")) if vals.get("date") else fields.Date.context_today(self)
        common = {
            "source": source,
            "external_ref": ref,
            "payload_hash": payload_hash,
            "kind": kind,
            "card_id": card.id,
            "amount": amount,
            "currency_id": currency.id,
            "date": day,
        }
        if kind == "purchase":
            # the writer of post_batch: posting and statement row inserted already linked, in one statement
            todo = self._crm_batch_plan([(0, vals, card)], card, [None], existing={}, backfill=backfill)
            posting = self._crm_batch_write(card, todo)
        else:
            original = self._crm_original(vals.get("original_ref"), source, card)
            left = float_round(original.amount - original.refunded_amount, precision_digits=2)
            if float_compare(amount, left, precision_digits=2) > 0:
                raise ValidationError(
                    self.env._(
                        "Refund %(ref)s is for %(amount)s but only %(left)s of purchase %(orig)s (%(orig_amount)s) "
                        "is left to refund.",
                        ref=ref,
                        amount=amount,
                        left=left,
                        orig=original.external_ref,
                        orig_amount=original.amount,
                    )
                )
            qualifying, spendable = original._crm_refund_share(amount)
            posting = Posting.create({**common, "channel_id": original.channel_id.id, "original_id": original.id})
            label = self.env._("Refund %(ref)s of purchase %(orig)s", ref=ref, orig=original.external_ref)
            history = card._crm_reverse(
                original.history_id, label, posting=posting, spendable=spendable, qualifying=qualifying
            )
            refunded = float_round(original.refunded_amount + amount, precision_digits=2)
            original.write({"refund_id": posting.id, "refunded_amount": refunded})
            posting.write(
                {
                    "history_id": history.id,
                    "qualifying_points": history.qualifying_points,
                    "spendable_points": -history.used,
                }
            )
        return posting._crm_result(replayed=False)

    @api.model
    def post_batch(self, vals_list):
        """Post many purchases in one call (same rules and results as ``post``, in order).

        All or nothing: one invalid purchase refuses the batch. Refunds and members given by customer
        id go through ``post`` one by one; purchases are resolved, locked and written set-based.
        """
        self.check_access("create")
        results = [None] * len(vals_list)
        keys = {str(v.get("member") or "").strip() for v in vals_list if (v.get("kind") or "purchase") == "purchase"}
        # as the caller: company rules and the programmes a till may post to decide which members it finds
        found = (
            self.env["loyalty.card"]
            .search(
                [
                    ("program_id.program_type", "=", "loyalty"),
                    ("active", "=", True),
                    "|",
                    ("member_number", "in", list(keys)),
                    ("code", "in", list(keys)),
                ]
            )
            .sudo()
        )
        self._crm_check_program(found.program_id)
        by_key = {c.member_number: c for c in found} | {c.code: c for c in found}
        batch = []
        for i, vals in enumerate(vals_list):
            card = by_key.get(str(vals.get("member") or "").strip())
            if (vals.get("kind") or "purchase") != "purchase" or not card:
                results[i] = self.post(vals)  # refunds, customer ids and unknown members: one by one
            else:
                batch.append((i, vals, card))
        if not batch:
            return results
        cards = self.env["loyalty.card"].sudo().union(*[card for _i, _v, card in batch])
        cards._crm_lock()
        todo = self._crm_batch_plan(batch, cards, results)
        postings = self._crm_batch_write(cards, todo)
        for row, posting in zip(todo, postings, strict=True):
            results[row["index"]] = posting
        # the results of the whole batch from one read
        earlier = [r for r in results if isinstance(r, models.BaseModel)]
        read = self.sudo().browse({p.id for p in earlier} | set(postings.ids))._crm_results()
        for i, result in enumerate(results):
            if isinstance(result, int):  # a repeat inside the batch
                results[i] = dict(read[postings[result].id], replayed=True)
            elif isinstance(result, models.BaseModel):
                results[i] = dict(read[result.id], replayed=result not in postings)
        return results

    def _crm_batch_plan(self, batch, cards, results, existing=None, backfill=False):
        """Validate the purchases of a batch; replays go to ``results``; returns the rows to write.

        ``existing`` maps (source, reference) to the postings already made, when the caller looked;
        ``backfill`` lifts the date guard (the manager's wizard).
        """
        if existing is None:
            existing = {
                (p.source, p.external_ref): p
                for p in self.sudo().search(
                    [
                        ("source", "in", list({str(v.get("source") or "").strip() for _i, v, _c in batch})),
                        (
                            "external_ref",
                            "in",
                            list({str(v.get("external_ref") or "").strip() for _i, v, _c in batch}),
                        ),
                    ]
                )
            }
        today = fields.Date.context_today(self)
        balances = {card.id: card.points for card in cards}
        todo, seen = [], {}
        # a batch names few programmes, channels and currencies: each is checked once
        channels, currencies, entry_tiers, date_limits = {}, {}, {}, {}
        # the superuser (demo data, imports, migrations) loads history; every user goes through the guard
        guard_dates = not (backfill or self.env.su)
        # the label is translated once: each self.env._ call inspects the stack for the module
        label = self.env._("%(channel)s purchase %(ref)s")
        for i, vals, card in batch:
            source, ref = str(vals.get("source") or "").strip(), str(vals.get("external_ref") or "").strip()
            if not source or not ref:
                raise ValidationError(self.env._("A posting needs its source and its external reference."))
            payload_hash = self._crm_payload_hash(vals, "purchase")
            earlier = existing.get((source, ref))
            if earlier or (source, ref) in seen:
                first_hash = earlier.payload_hash if earlier else todo[seen[(source, ref)]]["vals"]["payload_hash"]
                if first_hash != payload_hash or (earlier and earlier.card_id != card):
                    raise ValidationError(
                        self.env._(
                            "Reference %(ref)s of %(system)s was already posted with different details.",
                            ref=ref,
                            system=source,
                        )
                    )
                results[i] = earlier or seen[(source, ref)]
                continue
            program = card.program_id
            amount = self._crm_amount(vals.get("amount"))
            key = (program, vals.get("channel"))
            if key not in channels:
                channels[key] = self._crm_channel(vals.get("channel"), program)
            channel = channels[key]
            key = (program, vals.get("currency"))
            if key not in currencies:
                currencies[key] = self._crm_currency(vals.get("currency"), program)
            day = fields.Date.to_date(vals.get("date")) if vals.get("date") else today
            if guard_dates:
                if program not in date_limits:
                    date_limits[program] = program._crm_posting_date_limits(today)
                self._crm_check_date(day, ref, program, *date_limits[program])
            if program not in entry_tiers:
                entry_tiers[program] = program._crm_entry_tier()
            tier = card.tier_id or entry_tiers[program]
            base = math.floor(round(amount * channel.points_per_unit, 6))
            spendable = round(base * (tier.earn_multiplier if tier else 1.0), 2)
            debt = max(-balances[card.id], 0.0)
            balances[card.id] += spendable
            seen[(source, ref)] = len(todo)
            todo.append(
                {
                    "index": i,
                    "card": card,
                    "day": day,
                    "remaining": max(spendable - debt, 0.0),
                    "label": label % {"channel": channel.name, "ref": ref},
                    "balance": balances[card.id],
                    "vals": {
                        "source": source,
                        "external_ref": ref,
                        "payload_hash": payload_hash,
                        "kind": "purchase",
                        "card_id": card.id,
                        "amount": amount,
                        "currency_id": currencies[(program, vals.get("currency"))].id,
                        "date": day,
                        "channel_id": channel.id,
                        "qualifying_points": base,
                        "spendable_points": spendable,
                    },
                }
            )
        return todo

    def _crm_batch_write(self, cards, todo):
        """Write the planned purchases: postings and statement rows in one statement, balances, upgrades.

        A batch is written in SQL: through ``create`` each purchase costs two records' defaults,
        conversions and a second UPDATE linking posting and statement row, about 1 ms a purchase,
        which caps a till upload well below 1,000 purchases a second. The ids are drawn from the
        sequences first, so both rows are inserted already linked in one statement (the foreign keys
        are checked at its end), then the ORM cache of what was written is invalidated.
        """
        if not todo:  # every purchase of the batch was a replay
            return self.sudo().browse()
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            """SELECT nextval('crm_loyalty_posting_id_seq'), nextval('loyalty_history_id_seq')
                 FROM generate_series(1, %s)""",
            [len(todo)],
        )
        pairs = cr.fetchall()
        posting_ids = sorted(p for p, _h in pairs)
        history_ids = sorted(h for _p, h in pairs)
        expiry = {}
        for row in todo:
            key = (row["card"].program_id, row["day"])
            if key not in expiry:
                expiry[key] = key[0]._crm_expiry_date(key[1]) or None
        uid, now = self.env.uid, cr.now()
        execute_values(
            cr._obj,
            """
            WITH v (posting_id, history_id, source, external_ref, payload_hash, card_id, amount, currency_id,
                    channel_id, day, qualifying, spendable, remaining, expiry, label, uid, now) AS (VALUES %s),
            posting AS (
                INSERT INTO crm_loyalty_posting
                       (id, source, external_ref, payload_hash, kind, card_id, partner_id, program_id, company_id,
                        amount, currency_id, channel_id, date, qualifying_points, spendable_points, history_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.posting_id, v.source, v.external_ref, v.payload_hash, 'purchase', v.card_id,
                       c.partner_id, c.program_id, c.company_id, v.amount, v.currency_id, v.channel_id, v.day,
                       v.qualifying, v.spendable, v.history_id, v.uid, v.now, v.uid, v.now
                  FROM v JOIN loyalty_card c ON c.id = v.card_id
            )
            INSERT INTO loyalty_history
                   (id, card_id, description, issued, used, qualifying_points, remaining_points, earned_date,
                    expiry_date, crm_kind, crm_bonus_points, crm_expiry_notified, posting_id,
                    create_uid, create_date, write_uid, write_date)
            SELECT v.history_id, v.card_id, v.label, v.spendable, 0, v.qualifying, v.remaining, v.day,
                   v.expiry, 'award', v.spendable - v.qualifying, FALSE, v.posting_id, v.uid, v.now, v.uid, v.now
              FROM v
            """,
            [
                (
                    posting_id,
                    history_id,
                    row["vals"]["source"],
                    row["vals"]["external_ref"],
                    row["vals"]["payload_hash"],
                    row["card"].id,
                    row["vals"]["amount"],
                    row["vals"]["currency_id"],
                    row["vals"]["channel_id"],
                    row["day"],
                    row["vals"]["qualifying_points"],
                    row["vals"]["spendable_points"],
                    row["remaining"],
                    expiry[(row["card"].program_id, row["day"])],
                    row["label"],
                    uid,
                    now,
                )
                for row, posting_id, history_id in zip(todo, posting_ids, history_ids, strict=True)
            ],
            template="(%s::int, %s::int, %s, %s, %s, %s::int, %s::float8, %s::int, %s::int, %s::date, "
            "%s::float8, %s::float8, %s::float8, %s::date, %s, %s::int, %s::timestamp)",
            page_size=len(todo),
        )
        # the balances before the batch were read to plan it: no second read
        before = {card.id: card.points for card in cards}
        self.env["crm.loyalty.posting"].invalidate_model()
        self.env["loyalty.history"].invalidate_model()
        cards.invalidate_recordset()
        cards._crm_set_balances({row["card"].id: row["balance"] for row in todo}, before=before)
        for day in {row["day"] for row in todo}:
            cards.union(*[row["card"] for row in todo if row["day"] == day])._crm_check_upgrade(day)
        return self.sudo().browse(posting_ids)

    # ------------------------------------------------------------------ helpers
    def _crm_result(self, replayed):
        self.ensure_one()
        return dict(self._crm_results()[self.id], replayed=replayed)

    def _crm_results(self):
        """The results of many postings (as ``_crm_result`` gives them, replayed False) from one query: {id: result}."""
        if not self:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT p.id, p.card_id, c.member_number, p.qualifying_points, p.spendable_points, c.points, c.tier_id
                 FROM crm_loyalty_posting p JOIN loyalty_card c ON c.id = p.card_id
                WHERE p.id IN %s""",
            [tuple(self.ids)],
        )
        rows = self.env.cr.fetchall()
        # tier names are translated: read through the ORM, once per tier
        tiers = self.env["crm.loyalty.tier"].sudo().browse({row[6] for row in rows if row[6]})
        tiers = {tier.id: tier.name for tier in tiers}
        return {
            posting_id: {
                "posting_id": posting_id,
                "card_id": card_id,
                "member_number": member_number or False,
                "qualifying_points": qualifying or 0.0,
                "spendable_points": spendable or 0.0,
                "balance": balance or 0.0,
                "tier": tiers.get(tier_id, False),
                "replayed": False,
            }
            for posting_id, card_id, member_number, qualifying, spendable, balance, tier_id in rows
        }

    def _crm_refund_share(self, amount):
        """Tier and spendable points a refund of ``amount`` of this purchase reverses.

        Proportional to the amount refunded so far, counted on the running total so that several
        partial refunds add up to exactly what the purchase earned when the whole amount is back,
        and never to more.
        """
        self.ensure_one()
        earned_q, earned_s = self.qualifying_points, self.spendable_points
        done_q = -sum(self.refund_ids.mapped("qualifying_points"))
        done_s = -sum(self.refund_ids.mapped("spendable_points"))
        total = self.refunded_amount + amount
        if float_compare(total, self.amount, precision_digits=2) >= 0:
            target_q, target_s = earned_q, earned_s
        else:
            share = total / self.amount
            target_q = min(math.floor(round(earned_q * share, 6)), earned_q)
            target_s = min(float_round(earned_s * share, precision_digits=2), earned_s)
        return max(target_q - done_q, 0.0), max(float_round(target_s - done_s, precision_digits=2), 0.0)

    @api.model
    def _crm_payload_hash(self, vals, kind):
        payload = {
            "member": str(vals.get("member") or ""),
            "amount": str(vals.get("amount")),
            "currency": (vals.get("currency") or "").upper(),
            "channel": vals.get("channel") or "",
            "date": str(vals.get("date") or ""),
            "kind": kind,
            "original_ref": vals.get("original_ref") or "",
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    @api.model
    def _crm_check_program(self, programs):
        """Refuse when the user may post only to given programmes and ``programs`` has another."""
        allowed = self.env.user.crm_loyalty_program_ids
        if allowed and programs - allowed:
            raise AccessError(
                self.env._(
                    "%(user)s may post only to %(allowed)s, not to %(program)s.",
                    user=self.env.user.name,
                    allowed=", ".join(allowed.mapped("name")),
                    program=", ".join((programs - allowed).mapped("name")),
                )
            )

    @api.model
    def _crm_check_date(self, day, ref, program, earliest, latest):
        """Refuse a purchase dated after ``latest`` (the future) or before ``earliest`` (a past period)."""
        if day > latest:
            raise ValidationError(
                self.env._(
                    "Purchase %(ref)s is dated %(day)s, in the future (purchases up to %(latest)s are accepted): "
                    "check the till's clock.",
                    ref=ref,
                    day=day,
                    latest=latest,
                )
            )
        if day < earliest:
            raise ValidationError(
                self.env._(
                    "Purchase %(ref)s is dated %(day)s, before the current qualification period of %(program)s "
                    "(purchases from %(earliest)s are accepted); a loyalty manager can backfill it with "
                    "Backfill a purchase on the member.",
                    ref=ref,
                    day=day,
                    program=program.name,
                    earliest=earliest,
                )
            )

    @api.model
    def _crm_find_card(self, member):
        """The loyalty card of a card code, a member number or a partner id, among those the user may read."""
        # Searched as the caller (company rules, the programmes a till may post to); the card found is then
        # written as before, with sudo: balances and statements are the ledger's, not the user's to edit.
        Card = self.env["loyalty.card"]
        if member in (None, False, ""):
            raise ValidationError(
                self.env._("Say which member the purchase is for (card code, member number or customer id).")
            )
        text = str(member).strip()
        domain_base = [("program_id.program_type", "=", "loyalty"), ("active", "=", True)]
        card = Card.search([*domain_base, "|", ("member_number", "=", text), ("code", "=", text)], limit=1)
        if not card and text.isdigit():
            cards = Card.search(
                [*domain_base, ("partner_id", "=", int(text)), ("program_id.crm_tier_ids", "!=", False)]
            )
            if len(cards) > 1:
                raise ValidationError(
                    self.env._(
                        "Customer %(member)s has several loyalty cards: send the card code or member number.",
                        member=text,
                    )
                )
            card = cards
        if not card:
            raise UserError(self.env._("No loyalty member matches “%(member)s”.", member=text))
        return card.sudo()

    @api.model
    def _crm_amount(self, value):
        try:
            amount = float(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(self.env._("The amount “%(value)s” is not a number.", value=value)) from exc
        if not amount > 0:
            raise ValidationError(self.env._("The amount must be greater than zero (got %(amount)s).", amount=value))
        return amount

    @api.model
    def _crm_currency(self, code, program):
        expected = program.currency_id
        if not code:
            return expected
        if str(code).upper() != expected.name:
            raise ValidationError(
                self.env._(
                    "Programme %(program)s earns points in %(expected)s, not %(code)s.",
                    program=program.name,
                    expected=expected.name,
                    code=code,
                )
            )
        return expected

    @api.model
    def _crm_channel(self, code, program):
        channels = program.crm_channel_ids
        if not code:
            raise ValidationError(self.env._("Say which channel the purchase was made in."))
        channel = channels.filtered(lambda c: c.code == code)
        if not channel:
            known = ", ".join(channels.mapped("code")) or "-"
            raise ValidationError(self.env._("Unknown channel “%(code)s” (known: %(known)s).", code=code, known=known))
        return channel

    @api.model
    def _crm_original(self, original_ref, source, card):
        if not original_ref:
            raise ValidationError(self.env._("A refund needs the reference of the original purchase."))
        original = self.sudo().search(
            [("source", "=", source), ("external_ref", "=", original_ref), ("kind", "=", "purchase")], limit=1
        )
        if not original or original.card_id != card:
            raise UserError(
                self.env._(
                    "No purchase %(ref)s from %(system)s for this member: nothing to refund.",
                    ref=original_ref,
                    system=source,
                )
            )
        if float_compare(original.refunded_amount, original.amount, precision_digits=2) >= 0:
            raise ValidationError(
                self.env._(
                    "Purchase %(ref)s was already refunded by %(refund)s.",
                    ref=original_ref,
                    refund=", ".join(original.refund_ids.sorted("id").mapped("external_ref")),
                )
            )
        return original
