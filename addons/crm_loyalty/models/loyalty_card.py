# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import math
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from psycopg2.extras import execute_values

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, split_every

_logger = logging.getLogger(__name__)


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    member_number = fields.Char(copy=False, readonly=True)  # indexed by its unique constraint
    # not indexed: a handful of tiers over up to millions of members, each tier's members spread over
    # the whole table (an index scan reads about every page, as a sequential scan does), and an index
    # on it makes every tier change rewrite all the card's index entries instead of a HOT update
    tier_id = fields.Many2one(comodel_name="crm.loyalty.tier", readonly=True, copy=False)
    tier_color = fields.Char(related="tier_id.color", string="Tier colour")
    crm_tier_since = fields.Date(string="Tier since", readonly=True, copy=False)
    crm_tier_history_ids = fields.One2many(
        comodel_name="crm.loyalty.tier.history", inverse_name="card_id", string="Tier history", readonly=True
    )
    crm_tier_points = fields.Float(string="Tier points (this period)", compute="_compute_crm_period")
    crm_next_tier_id = fields.Many2one(
        comodel_name="crm.loyalty.tier", string="Next tier", compute="_compute_crm_period"
    )
    crm_points_to_next = fields.Float(string="Tier points to next tier", compute="_compute_crm_period")
    crm_period_end = fields.Date(string="Period end", compute="_compute_crm_period")
    crm_next_review_date = fields.Date(string="Next review", compute="_compute_crm_period")
    crm_expiring_points = fields.Float(string="Expiring within 30 days", compute="_compute_crm_expiring_points")
    crm_points_liability = fields.Float(
        string="Points liability", compute="_compute_crm_points_liability", store=True, aggregator="sum"
    )
    crm_source_card_id = fields.Many2one(
        comodel_name="loyalty.card",
        string="Issued from card",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    crm_voucher_value = fields.Float(string="Voucher value at issue", readonly=True)

    _sql_constraints = [
        ("member_number_uniq", "UNIQUE(member_number)", "A member number is unique."),
    ]

    def init(self):
        """Keep room on each page of the members' table for the new versions of its rows.

        Every purchase rewrites its card (balance), the period-end review rewrites the card of every
        member moved down a tier: with free space on the page, PostgreSQL writes the new version
        beside the old one and leaves the card's five indexes alone (HOT update). Applies to the
        pages written from now on.
        """
        self.env.cr.execute("DROP INDEX IF EXISTS loyalty_card__tier_id_index")
        self.env.cr.execute("ALTER TABLE loyalty_card SET (fillfactor = 80)")

    @api.depends("program_id", "tier_id", "history_ids.qualifying_points", "history_ids.earned_date")
    def _compute_crm_period(self):
        today = fields.Date.context_today(self)
        points = self._crm_period_points(today)
        for card in self:
            program = card.program_id
            if not program.crm_tier_ids:
                card.update(
                    {
                        "crm_tier_points": 0,
                        "crm_next_tier_id": False,
                        "crm_points_to_next": 0,
                        "crm_period_end": False,
                        "crm_next_review_date": False,
                    }
                )
                continue
            tier = card.tier_id or program._crm_entry_tier()
            next_tier = tier._crm_higher() if not tier.invitation_only else tier.browse()
            earned = points.get(card.id, 0.0)
            card.update(
                {
                    "crm_tier_points": earned,
                    "crm_next_tier_id": next_tier,
                    "crm_points_to_next": max(next_tier.qualify_points - earned, 0.0) if next_tier else 0.0,
                    "crm_period_end": program._crm_period_bounds(today)[1],
                    "crm_next_review_date": program._crm_next_review_date(today),
                }
            )

    @api.depends("history_ids.remaining_points", "history_ids.expiry_date")
    def _compute_crm_expiring_points(self):
        today = fields.Date.context_today(self)
        data = dict(
            self.env["loyalty.history"]._read_group(
                [
                    ("card_id", "in", self.ids),
                    ("remaining_points", ">", 0),
                    ("expiry_date", ">=", today),
                    ("expiry_date", "<=", today + relativedelta(days=30)),
                ],
                ["card_id"],
                ["remaining_points:sum"],
            )
        )
        for card in self:
            card.crm_expiring_points = data.get(card, 0.0)

    @api.depends("points", "program_id.crm_point_value")
    def _compute_crm_points_liability(self):
        for card in self:
            card.crm_points_liability = max(card.points, 0.0) * card.program_id.crm_point_value

    @api.model_create_multi
    def create(self, vals_list):
        if any(not vals.get("program_id") for vals in vals_list) and not self.default_get(["program_id"]).get(
            "program_id"
        ):
            # Odoo's own create fails on a card without a programme with a KeyError
            raise UserError(self.env._("Choose the loyalty programme of the card."))
        cards = super().create(vals_list)
        members = cards.filtered(lambda c: c.program_id.program_type == "loyalty" and not c.member_number)
        sequence = self.env["ir.sequence"].sudo()
        for card in members:
            card.member_number = sequence.next_by_code("crm.loyalty.member")
        tiered = members.filtered(lambda c: c.program_id.crm_tier_ids and not c.tier_id)
        if tiered:
            history = self.env["crm.loyalty.tier.history"]
            for card in tiered:
                card.write(
                    {"tier_id": card.program_id._crm_entry_tier().id, "crm_tier_since": fields.Date.context_today(self)}
                )
            history.sudo().create(
                [
                    {
                        "card_id": card.id,
                        "to_tier_id": card.tier_id.id,
                        "change_type": "join",
                        "reason": self.env._("Joined the programme"),
                        "notice_sent": True,
                    }
                    for card in tiered
                ]
            )
        return cards

    def write(self, vals):
        """A card moved to another programme has its tier points regrouped by that programme's periods."""
        res = super().write(vals)
        if "program_id" in vals:
            self._crm_rebuild_period_points(card_ids=self.ids)
        return res

    # ------------------------------------------------------------------ enrolment
    @api.model
    def crm_enrol(self, program_id, partner_id):
        """Make the customer a member of the loyalty programme; returns the new card (member number set)."""
        self.env["crm.loyalty.posting"].check_access("create")  # tills and loyalty staff; not customers
        # as the caller: company rules and the programmes a till may post to decide what it may enrol into
        program = self.env["loyalty.program"].search([("id", "=", program_id), ("program_type", "=", "loyalty")])
        if not program:
            raise UserError(self.env._("No loyalty programme %(program)s.", program=program_id))
        self.env["crm.loyalty.posting"]._crm_check_program(program)
        partner = self.env["res.partner"].search([("id", "=", partner_id)])
        if not partner:
            raise UserError(self.env._("No customer %(customer)s.", customer=partner_id))
        # two tills enrolling the same customer at once: the second waits and finds the first card
        self.env.cr.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [partner.id])
        existing_sudo = self.sudo().search(
            [("program_id", "=", program.id), ("partner_id", "=", partner.id), ("active", "=", True)], limit=1
        )
        if existing_sudo:
            raise ValidationError(
                self.env._(
                    "%(customer)s is already a member of %(program)s (member number %(number)s).",
                    customer=partner.display_name,
                    program=program.name,
                    number=existing_sudo.member_number,
                )
            )
        return self.sudo().create({"program_id": program.id, "partner_id": partner.id})

    # ------------------------------------------------------------------ ledger primitives
    def _crm_lock(self):
        """Lock the cards' rows until the end of the transaction: awards and redemptions serialise."""
        if self.ids:
            self.env.cr.execute("SELECT id FROM loyalty_card WHERE id IN %s ORDER BY id FOR UPDATE", [tuple(self.ids)])
            self.invalidate_recordset(["points"])

    def _crm_period_points(self, day=None):
        """Tier points earned in the qualification period containing ``day``, per card id (one query per programme)."""
        day = day or fields.Date.context_today(self)
        result = {}
        self.env["loyalty.history"].flush_model(["card_id", "qualifying_points", "earned_date"])
        by_program = defaultdict(list)
        for card in self:
            by_program[card.program_id].append(card.id)
        for program, card_ids in by_program.items():
            if not program:
                continue
            start, end = program._crm_period_bounds(day)
            self.env.cr.execute(program._crm_points_query(start, end, card_ids))
            result.update(self.env.cr.fetchall())
        return result

    @api.model
    def _crm_rebuild_period_points(self, program_ids=None, card_ids=None):
        """Recount the per-period tier points counter from the statement: all cards, or those given.

        Fills the counter when the module is installed or upgraded, and regroups a programme's
        points when its qualification period changes.
        """
        self.env.flush_all()
        cr = self.env.cr
        if card_ids is not None:
            where = SQL("c.id IN %s", tuple(card_ids) or (0,))
        elif program_ids is not None:
            where = SQL("c.program_id IN %s", tuple(program_ids) or (0,))
        else:
            where = SQL("TRUE")
        cr.execute(
            SQL(
                "DELETE FROM crm_loyalty_period_points pp USING loyalty_card c WHERE c.id = pp.card_id AND %s",
                where,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO crm_loyalty_period_points (card_id, period_start, qualifying_points)
                   SELECT h.card_id,
                          crm_loyalty_period_start(p.crm_qualification_period, p.crm_period_start_month,
                                                   p.crm_period_start_day, h.earned_date),
                          SUM(h.qualifying_points)
                     FROM loyalty_history h
                     JOIN loyalty_card c ON c.id = h.card_id
                     JOIN loyalty_program p ON p.id = c.program_id
                    WHERE h.qualifying_points <> 0 AND h.earned_date IS NOT NULL AND %s
                    GROUP BY 1, 2""",
                where,
            )
        )

    def _crm_ledger(self):
        return self.env["loyalty.history"].sudo().with_context(crm_ledger=True)

    def _crm_set_points(self, points):
        self.sudo().with_context(tracking_disable=True).write({"points": round(points, 2)})

    def _crm_set_balances(self, balances, before=None):
        """Set many balances at once (``{card_id: points}``): one UPDATE instead of one write per card.

        Does what ``write({"points": ...})`` does for them: write date, the stored computes that
        depend on the balance, and Odoo's "when reaching" communications. ``before`` gives the
        balances as they were (``{card_id: points}``) when the caller has them, else they are read.
        """
        if not balances:
            return
        cards = self.browse(list(balances)).sudo()
        before = {card: before[card.id] if before else card.points for card in cards}
        self.env.flush_all()
        uid, now = self.env.uid, self.env.cr.now()
        # the liability (_compute_crm_points_liability) is written in the same UPDATE: a recompute
        # would write every card a second time
        execute_values(
            self.env.cr._obj,
            """UPDATE loyalty_card c
                  SET points = v.p, crm_points_liability = GREATEST(v.p, 0) * COALESCE(p.crm_point_value, 0),
                      write_uid = v.u, write_date = v.d
                 FROM (VALUES %s) AS v(id, p, u, d), loyalty_program p
                WHERE c.id = v.id AND p.id = c.program_id""",
            [(card_id, round(points, 2), uid, now) for card_id, points in balances.items()],
            template="(%s::int, %s::float8, %s::int, %s::timestamp)",
        )
        liability = self._fields["crm_points_liability"]
        cards.invalidate_recordset(["points", "crm_points_liability", "write_uid", "write_date"])
        cards.modified(["points"])
        self.env.remove_to_compute(liability, cards)
        # Odoo's "when reaching" messages: asked only when a programme of the batch has one (it reads
        # every card's member first)
        if cards.program_id.communication_plan_ids.filtered(lambda c: c.trigger == "points_reach"):
            cards._send_points_reach_communication(
                {card: {"old": before[card], "new": round(balances[card.id], 2)} for card in cards}
            )

    def _crm_consume(self, points):
        """Consume ``points`` from the unspent awards of this card, soonest-expiring first (FIFO by expiry)."""
        self.ensure_one()
        if points <= 0:
            return 0.0
        History = self.env["loyalty.history"]
        History.flush_model()
        self.env.cr.execute(
            """SELECT id, remaining_points FROM loyalty_history
                WHERE card_id = %s AND remaining_points > 0
                ORDER BY expiry_date NULLS LAST, earned_date, id""",
            [self.id],
        )
        left, updates = points, []
        for history_id, remaining in self.env.cr.fetchall():
            take = min(remaining, left)
            updates.append((history_id, round(remaining - take, 2)))
            left = round(left - take, 2)
            if left <= 0:
                break
        if updates:
            execute_values(
                self.env.cr._obj,
                "UPDATE loyalty_history h SET remaining_points = v.r FROM (VALUES %s) AS v(id, r) WHERE h.id = v.id",
                updates,
            )
            History.invalidate_model(["remaining_points"])
        return points - left

    def _crm_award(self, base_points, description, day=None, posting=False, kind="award"):
        """Award ``base_points``: tier points as earned, spendable points times the tier multiplier."""
        self.ensure_one()
        day = day or fields.Date.context_today(self)
        program = self.program_id
        tier = self.tier_id or program._crm_entry_tier()
        multiplier = tier.earn_multiplier if tier else 1.0
        spendable = round(base_points * multiplier, 2)
        debt = max(-self.points, 0.0)  # a negative balance is paid back first
        history = self._crm_ledger().create(
            {
                "card_id": self.id,
                "description": description,
                "issued": spendable,
                "qualifying_points": base_points,
                "remaining_points": max(spendable - debt, 0.0),
                "earned_date": day,
                "expiry_date": program._crm_expiry_date(day),
                "crm_kind": kind,
                "crm_bonus_points": spendable - base_points,
                "posting_id": posting and posting.id,
            }
        )
        self._crm_set_points(self.points + spendable)
        self._crm_check_upgrade(day)
        return history

    def _crm_redeem(self, points, description):
        """Spend ``points`` of the balance (never below zero), soonest-expiring awards first."""
        self.ensure_one()
        self.env["crm.loyalty.posting"]._crm_check_program(self.program_id)
        if points <= 0:
            raise UserError(self.env._("The points to redeem must be positive."))
        self._crm_lock()
        if points > self.points:
            raise UserError(
                self.env._(
                    "Not enough points: %(balance)s available, %(asked)s asked.", balance=self.points, asked=points
                )
            )
        history = self._crm_ledger().create(
            {"card_id": self.id, "description": description, "used": points, "crm_kind": "redeem"}
        )
        self._crm_consume(points)
        self._crm_set_points(self.points - points)
        return history

    def _crm_reverse(self, original, description, posting=False, spendable=None, qualifying=None):
        """Reverse an award (all of it by default, or the given share): tier and spendable points, even when spent."""
        self.ensure_one()
        spendable = original.issued if spendable is None else spendable
        qualifying = original.qualifying_points if qualifying is None else qualifying
        if self.program_id.crm_refund_policy == "clawback" and self.points < spendable:
            self._crm_claw_back(spendable - self.points)
        own = min(original.remaining_points, spendable)
        original.sudo().remaining_points = original.remaining_points - own
        self._crm_consume(min(spendable - own, max(self.points - own, 0.0)))
        history = self._crm_ledger().create(
            {
                "card_id": self.id,
                "description": description,
                "used": spendable,
                "qualifying_points": -qualifying,
                "earned_date": original.earned_date,
                "crm_kind": "refund",
                "posting_id": posting and posting.id,
            }
        )
        self._crm_set_points(self.points - spendable)
        return history

    def _crm_claw_back(self, needed):
        """Turn unused vouchers issued from this card back into points until ``needed`` points are covered."""
        self.ensure_one()
        program = self.program_id
        vouchers = self.search(
            [("crm_source_card_id", "=", self.id), ("points", ">", 0), ("active", "=", True)],
            order="expiration_date desc, id desc",
        ).filtered(lambda v: v.points >= v.crm_voucher_value and v.crm_voucher_value)
        recovered = 0.0
        rate = program.crm_voucher_block_points / (program.crm_voucher_block_value or 1.0)
        for voucher in vouchers:
            if recovered >= needed:
                break
            points = round(voucher.crm_voucher_value * rate, 2)
            voucher.sudo().write({"points": 0, "active": False})
            self._crm_ledger().create(
                {
                    "card_id": self.id,
                    "description": self.env._("Voucher %(code)s cancelled to cover a refund", code=voucher.code),
                    "issued": points,
                    "remaining_points": points,
                    "crm_kind": "clawback",
                    "voucher_card_id": voucher.id,
                }
            )
            self._crm_set_points(self.points + points)
            recovered += points
        return recovered

    def _crm_convert_to_vouchers(self, run_date):
        """Convert whole blocks of spendable points into vouchers; the remainder stays on the card."""
        program = self.program_id.ensure_one()
        voucher_program = program.crm_voucher_program_id
        self._crm_lock()
        block, value = program.crm_voucher_block_points, program.crm_voucher_block_value
        expiry = (
            run_date + relativedelta(months=program.crm_voucher_validity_months)
            if program.crm_voucher_validity_months
            else False
        )
        todo = []
        for card in self:
            blocks = math.floor(round(card.points / block, 6))
            if blocks > 0 and card.partner_id:
                todo.append((card, blocks))
        if not todo:
            return self.browse()
        vouchers = (
            self.sudo()
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "program_id": voucher_program.id,
                        "partner_id": card.partner_id.id,
                        "points": round(blocks * value, 2),
                        "crm_voucher_value": round(blocks * value, 2),
                        "expiration_date": expiry,
                        "crm_source_card_id": card.id,
                    }
                    for card, blocks in todo
                ]
            )
        )
        currency = program.currency_id
        self._crm_ledger().create(
            [
                {
                    "card_id": card.id,
                    "description": self.env._(
                        "Converted to voucher %(code)s (%(amount)s %(currency)s)",
                        code=voucher.code,
                        amount=voucher.points,
                        currency=currency.name,
                    ),
                    "used": blocks * block,
                    "earned_date": run_date,
                    "crm_kind": "voucher",
                    "voucher_card_id": voucher.id,
                }
                for (card, blocks), voucher in zip(todo, vouchers, strict=True)
            ]
        )
        for card, blocks in todo:
            card._crm_consume(blocks * block)
            card._crm_set_points(card.points - blocks * block)
        return vouchers

    # ------------------------------------------------------------------ tiers
    def _crm_check_upgrade(self, day=None):
        """Event-driven upgrade: move each card to the highest tier its period's tier points reach.

        Set-based for a batch: one read of the cards' programme and tier, one query of the period
        counter per programme, one insert of the tier history and one write per tier reached.
        """
        if not self:
            return
        day = day or fields.Date.context_today(self)
        cr = self.env.cr
        self.flush_recordset(["program_id", "tier_id"])
        # the counter follows the statement through triggers: pending statement writes go first
        self.env["loyalty.history"].flush_model(["card_id", "qualifying_points", "earned_date"])
        cr.execute("SELECT id, program_id, tier_id FROM loyalty_card WHERE id IN %s", [tuple(self.ids)])
        ranks_of, candidates = {}, defaultdict(dict)
        for card_id, program_id, tier_id in cr.fetchall():
            if program_id not in ranks_of:
                # the tiers points can reach, lowest first (the entry tier is the first): rank = position
                ladder = self.env["loyalty.program"].browse(program_id)._crm_ladder()
                ranks_of[program_id] = {tier.id: rank for rank, tier in enumerate(ladder)}
            ranks = ranks_of[program_id]
            current = tier_id or next(iter(ranks), None)
            # members at the top, or on an invitation-only tier, have nothing to reach: no query for them
            if current in ranks and ranks[current] < len(ranks) - 1:
                candidates[program_id][card_id] = current
        moves = []
        for program_id, cards in candidates.items():
            program = self.env["loyalty.program"].browse(program_id)
            ranks = ranks_of[program_id]
            start, end = program._crm_period_bounds(day)
            cr.execute(program._crm_points_query(start, end, list(cards)))
            for card_id, earned in cr.fetchall():
                target = program._crm_tier_for_points(earned)
                if target and ranks[target.id] > ranks[cards[card_id]]:
                    moves.append((card_id, cards[card_id], target, earned))
        if not moves:
            return
        # one insert, one write per tier reached, one hook call and one notice batch for all upgrades
        reason = self.env._("%(points)s tier points reached the %(tier)s threshold")
        now = fields.Datetime.now()
        audit = (self.env.uid, now, self.env.uid, now)
        rows = execute_values(
            cr._obj,
            """INSERT INTO crm_loyalty_tier_history
                      (card_id, from_tier_id, to_tier_id, change_type, date, reason, notice_sent,
                       create_uid, create_date, write_uid, write_date)
               VALUES %s RETURNING id""",
            [
                # notice_sent TRUE: told below, in this transaction
                (
                    card_id,
                    from_id,
                    target.id,
                    "upgrade",
                    now,
                    reason % {"points": earned, "tier": target.name},
                    True,
                    *audit,
                )
                for card_id, from_id, target, earned in moves
            ],
            fetch=True,
        )
        rows = self.env["crm.loyalty.tier.history"].browse([row[0] for row in rows])
        upgraded = self.browse([card_id for card_id, _from, _target, _earned in moves])
        upgraded.invalidate_recordset(["crm_tier_history_ids"])
        today = fields.Date.context_today(self)
        for target in {target for _card, _from, target, _earned in moves}:
            movers = self.browse([card_id for card_id, _from, t, _earned in moves if t == target])
            movers.sudo().write({"tier_id": target.id, "crm_tier_since": today})
        upgraded._on_tier_changed(rows)
        upgraded._crm_notify("crm_loyalty.mail_template_tier_upgrade", "crm_loyalty.sms_template_tier_upgrade")

    def _crm_set_tier(self, tier, reason, change_type="manual"):
        """Move the card to ``tier``, write its tier history (from, to, when, why, by whom) and tell the member."""
        self.ensure_one()
        if not reason:
            raise UserError(self.env._("A tier change needs a reason."))
        row = (
            self.env["crm.loyalty.tier.history"]
            .sudo()
            .create(
                {
                    "card_id": self.id,
                    "from_tier_id": self.tier_id.id,
                    "to_tier_id": tier.id,
                    "change_type": change_type,
                    "reason": reason,
                    "notice_sent": True,  # told below, in this transaction
                }
            )
        )
        self.sudo().write({"tier_id": tier.id, "crm_tier_since": fields.Date.context_today(self)})
        self._on_tier_changed(row)
        self._crm_tell_tier_changes(row)
        return row

    def _on_tier_changed(self, history_rows):
        """Hook called with the tier history rows after tier changes (crm_api emits tier.changed)."""
        return None

    # ------------------------------------------------------------------ messages
    def _crm_notice_allowed(self, partner):
        """Whether a service notice (own membership) may reach ``partner``: crm_vrm decides."""
        if not partner:
            return False
        recipient = self.env.ref("crm_vrm.recipient_company", raise_if_not_found=False)
        return bool(recipient) and partner._vrm_allows(recipient, "service", "contact")

    def _crm_sms_number(self, partner):
        """The partner's mobile in E.164 when it is valid and not blacklisted, else False."""
        number = partner.mobile or partner.phone
        if not number:
            return False
        sanitized = partner._phone_format(number=number)
        if not sanitized:
            return False
        if self.env["phone.blacklist"].sudo().search_count([("number", "=", sanitized)], limit=1):
            return False
        return sanitized

    def _crm_notify(self, mail_xmlid, sms_xmlid, values=None):
        """Send the e-mail and SMS notice ``*_xmlid`` to each card's member when their preferences allow it."""
        templates = None  # looked up for the first member who may be told, not for cards without one
        sent = self.browse()
        for card in self:
            partner = card.partner_id
            if not card._crm_notice_allowed(partner):
                continue
            if templates is None:
                templates = (
                    self.env.ref(mail_xmlid, raise_if_not_found=False),
                    self.env.ref(sms_xmlid, raise_if_not_found=False),
                )
            mail_template, sms_template = templates
            ctx = dict(values.get(card.id, {})) if values else {}
            card_ctx = card.sudo().with_context(**ctx)
            if mail_template and partner.email:
                author = card._get_mail_author()
                mail_template.sudo().with_context(**ctx).send_mail(
                    card.id,
                    email_layout_xmlid="mail.mail_notification_light",
                    email_values={"author_id": author.id, "email_from": author.email_formatted},
                )
                sent |= card
            number = card._crm_sms_number(partner)
            if sms_template and number:
                card_ctx._message_sms_with_template(
                    template=sms_template,
                    partner_ids=partner.ids,
                    sms_pid_to_number={partner.id: number},
                    put_in_queue=True,
                )
                sent |= card
        return sent

    def _crm_send_tier_notices(self, rows):
        """Tell members about their tier upgrade or soft landing (the rows not told yet)."""
        todo = rows.filtered(lambda r: not r.notice_sent)
        self._crm_tell_tier_changes(todo)
        todo.sudo().notice_sent = True

    def _crm_tell_tier_changes(self, rows):
        """Send the upgrade or soft-landing notice of each tier history row to its member."""
        ups = rows.filtered(lambda r: r.change_type in ("upgrade", "invitation"))
        for xmlid, todo in (("upgrade", ups), ("downgrade", rows - ups)):
            if todo:
                # one call per kind: the templates are looked up once, not once per member
                self.browse([row.card_id.id for row in todo])._crm_notify(
                    f"crm_loyalty.mail_template_tier_{xmlid}", f"crm_loyalty.sms_template_tier_{xmlid}"
                )

    @api.model
    def _cron_send_tier_notices(self, limit=1000):
        """Send the notices of tier changes written by the review batch, in bounded batches."""
        rows = self.env["crm.loyalty.tier.history"].sudo().search([("notice_sent", "=", False)], limit=limit)
        for batch in split_every(100, rows.ids, rows.browse):
            self._crm_send_tier_notices(batch)
            if not modules.module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------ expiry
    @api.model
    def _cron_expire_points(self, day=None):
        """Expire what is due: each card loses its unspent awards past their expiry, written on its statement."""
        day = day or fields.Date.context_today(self)
        self.env["loyalty.history"].flush_model()
        self.env.cr.execute(
            """SELECT card_id, SUM(remaining_points) FROM loyalty_history
                WHERE expiry_date < %s AND remaining_points > 0 GROUP BY card_id ORDER BY card_id""",
            [day],
        )
        due = self.env.cr.fetchall()
        for batch in split_every(500, due):
            cards = self.browse([card_id for card_id, _points in batch])
            cards._crm_lock()
            self.env.cr.execute(
                """UPDATE loyalty_history SET remaining_points = 0
                    WHERE card_id IN %s AND expiry_date < %s AND remaining_points > 0""",
                [tuple(cards.ids), day],
            )
            self.env["loyalty.history"].invalidate_model(["remaining_points"])
            self._crm_ledger().create(
                [
                    {
                        "card_id": card_id,
                        "description": self.env._("Points expired"),
                        "used": points,
                        "earned_date": day,
                        "crm_kind": "expiry",
                    }
                    for card_id, points in batch
                ]
            )
            for card_id, points in batch:
                card = self.browse(card_id)
                card._crm_set_points(card.points - points)
            if not modules.module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(due)

    @api.model
    def _cron_expiry_notices(self, day=None):
        """Tell members about points expiring within 30 days (once per award)."""
        day = day or fields.Date.context_today(self)
        History = self.env["loyalty.history"].sudo()
        awards = History.search(
            [
                ("remaining_points", ">", 0),
                ("expiry_date", ">=", day),
                ("expiry_date", "<=", day + relativedelta(days=30)),
                ("crm_expiry_notified", "=", False),
            ]
        )
        values = {}
        for award in awards:
            entry = values.setdefault(
                award.card_id.id, {"crm_expiring_points": 0.0, "crm_expiry_date": award.expiry_date}
            )
            entry["crm_expiring_points"] += award.remaining_points
            entry["crm_expiry_date"] = min(entry["crm_expiry_date"], award.expiry_date)
        awards.card_id._crm_notify(
            "crm_loyalty.mail_template_points_expiring", "crm_loyalty.sms_template_points_expiring", values
        )
        awards.crm_expiry_notified = True
        return awards.card_id

    # ------------------------------------------------------------------ member views
    def _crm_member_summary(self):
        """What a member sees first: tier, tier points this period, next tier, what keeps the tier at the
        review, balance, expiring points."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        tier = self.tier_id
        # A tier with a retention threshold is kept at the review only with enough tier points this period;
        # short of it, the member lands one tier lower. Invitation-only tiers are not reviewed.
        reviewed = bool(tier) and not tier.invitation_only and tier.retain_points > 0
        return {
            "member_number": self.member_number,
            "tier": tier.name or False,
            "tier_color": tier.color or False,
            "tier_points": self.crm_tier_points,
            "next_tier": self.crm_next_tier_id.name or False,
            "points_to_next": self.crm_points_to_next,
            "points_to_keep": max(tier.retain_points - self.crm_tier_points, 0.0) if reviewed else False,
            "tier_if_not_kept": (tier._crm_lower().name or False) if reviewed else False,
            "period_end": self.crm_period_end,
            "next_review_date": self.crm_next_review_date,
            "balance": self.points,
            "expiring_30_days": self.crm_expiring_points,
            "as_of": today,
        }

    def _crm_statement_domain(self, external_ref=None, source=None):
        """The domain of the card's statement rows, optionally those of one external reference and/or source."""
        self.ensure_one()
        domain = [("card_id", "=", self.id)]
        if external_ref:
            domain.append(("crm_external_ref", "=", external_ref))
        if source:
            domain.append(("crm_source", "=", source))
        return domain

    def _crm_statement(self, offset=0, limit=50, external_ref=None, source=None):
        """The card's statement, newest first: one dict per ledger row (optionally filtered by reference, source)."""
        self.ensure_one()
        rows = (
            self.env["loyalty.history"]
            .sudo()
            .search(self._crm_statement_domain(external_ref, source), order="id desc", offset=offset, limit=limit)
        )
        return [
            {
                "id": row.id,
                "date": row.earned_date or row.create_date.date(),
                "description": row.description,
                "kind": row.crm_kind or "order",
                "qualifying_points": row.qualifying_points,
                "issued": row.issued,
                "used": row.used,
                "expiry_date": row.expiry_date or False,
                "external_ref": row.crm_external_ref or False,
                "source": row.crm_source or False,
            }
            for row in rows
        ]
