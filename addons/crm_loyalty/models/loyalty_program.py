# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime
import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, split_every

_logger = logging.getLogger(__name__)

VOUCHER_INTERVALS = {"monthly": 1, "quarterly": 3, "yearly": 12}
BA_TIERS = [
    ("Blue", 1, 0, 0, 1.0, "#1f3b73", False),
    ("Bronze", 2, 3500, 3000, 1.25, "#a0522d", False),
    ("Silver", 3, 7500, 6500, 1.5, "#8a8d91", False),
    ("Gold", 4, 20000, 15000, 2.0, "#c9a227", False),
    ("Premier", 5, 0, 0, 3.0, "#111111", True),
]


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    crm_tier_ids = fields.One2many(comodel_name="crm.loyalty.tier", inverse_name="program_id", string="Tiers")
    crm_channel_ids = fields.One2many(comodel_name="crm.loyalty.channel", inverse_name="program_id", string="Channels")
    crm_qualification_period = fields.Selection(
        selection=[
            ("calendar", "Calendar year"),
            ("fixed", "Year from a fixed start date"),
            ("rolling", "Rolling 12 months"),
        ],
        string="Qualification period",
        default="fixed",
        required=True,
    )
    crm_period_start_month = fields.Integer(string="Period start month", default=4)
    crm_period_start_day = fields.Integer(string="Period start day", default=1)
    crm_posting_grace_days = fields.Integer(
        string="Posting grace (days)",
        default=3,
        help="Purchases posted by tills and the API may be dated this many days before the current qualification "
        "period (late uploads) or after today (clock skew); older or later ones are refused, and a loyalty "
        "manager backfills them.",
    )
    crm_last_review_date = fields.Date(
        string="Last tier review", help="Day the last period-end review ran; the next one covers the period after it."
    )
    crm_expiry_months = fields.Integer(string="Points expire after (months)", help="Empty: points never expire.")
    crm_point_value = fields.Float(
        string="Value per point", default=0.01, digits=(16, 4), help="Used for the points liability report."
    )
    crm_refund_policy = fields.Selection(
        selection=[("negative", "Allow a negative balance"), ("clawback", "Claw back from unused vouchers")],
        string="Refund of spent points",
        default="negative",
        required=True,
    )
    crm_voucher_program_id = fields.Many2one(
        comodel_name="loyalty.program",
        string="Voucher programme",
        domain="[('program_type', 'in', ('coupons', 'gift_card')), ('id', '!=', id)]",
        help="Coupon or gift card programme receiving the vouchers of the points-to-voucher run.",
    )
    crm_voucher_block_points = fields.Float(string="Points per block", default=150)
    crm_voucher_block_value = fields.Float(string="Voucher value per block", default=1.5)
    crm_voucher_validity_months = fields.Integer(string="Vouchers valid (months)", default=24)
    crm_voucher_interval = fields.Selection(
        selection=[("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")],
        string="Voucher run",
        default="quarterly",
    )
    crm_voucher_next_date = fields.Date(string="Next voucher run")
    crm_member_count = fields.Integer(compute="_compute_crm_member_count", string="Members")

    _sql_constraints = [
        (
            "crm_expiry_positive",
            "CHECK(crm_expiry_months IS NULL OR crm_expiry_months >= 0)",
            "Expiry months cannot be negative.",
        ),
        (
            "crm_posting_grace_positive",
            "CHECK(crm_posting_grace_days IS NULL OR crm_posting_grace_days >= 0)",
            "The posting grace cannot be negative.",
        ),
        (
            "crm_block_positive",
            "CHECK(crm_voucher_block_points IS NULL OR crm_voucher_block_points > 0)",
            "A block needs points.",
        ),
    ]

    def _compute_crm_member_count(self):
        counts = dict(
            self.env["loyalty.card"]._read_group([("program_id", "in", self.ids)], ["program_id"], ["__count"])
        )
        for program in self:
            program.crm_member_count = counts.get(program, 0)

    @api.constrains("crm_period_start_month", "crm_period_start_day")
    def _check_crm_period_start(self):
        for program in self:
            try:
                datetime.date(2001, program.crm_period_start_month, program.crm_period_start_day)
            except ValueError as exc:
                raise ValidationError(
                    self.env._("The qualification period must start on a valid day of the year.")
                ) from exc

    def write(self, vals):
        """A new qualification period regroups the tier points counter of the programme's members."""
        keys = ("crm_qualification_period", "crm_period_start_month", "crm_period_start_day")
        before = {program: tuple(program[key] for key in keys) for program in self} if set(keys) & set(vals) else {}
        res = super().write(vals)
        changed = [program.id for program in before if tuple(program[key] for key in keys) != before[program]]
        if changed:
            self.env["loyalty.card"]._crm_rebuild_period_points(program_ids=changed)
        return res

    # ------------------------------------------------------------------ periods
    def _crm_period_bounds(self, day=None):
        """First and last day of the qualification period containing ``day`` (today by default)."""
        self.ensure_one()
        day = day or fields.Date.context_today(self)
        if self.crm_qualification_period == "rolling":
            return day - relativedelta(months=12) + relativedelta(days=1), day
        if self.crm_qualification_period == "calendar":
            month, mday = 1, 1
        else:
            month, mday = self.crm_period_start_month or 4, self.crm_period_start_day or 1
        start = datetime.date(day.year, month, mday)
        if start > day:
            start = datetime.date(day.year - 1, month, mday)
        return start, start + relativedelta(years=1) - relativedelta(days=1)

    def _crm_posting_date_limits(self, today=None):
        """Earliest and latest purchase dates tills and the API may post: the current qualification period up
        to today, widened by the programme's grace days."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        grace = relativedelta(days=max(self.crm_posting_grace_days, 0))
        return self._crm_period_bounds(today)[0] - grace, today + grace

    def _crm_bucket_start(self, day):
        """First day of the tier points counter's bucket holding ``day`` (SQL: crm_loyalty_period_start).

        The bucket is the qualification period itself for a calendar or fixed-start year, and the
        month for a rolling 12 months, whose window moves every day.
        """
        self.ensure_one()
        if self.crm_qualification_period == "rolling":
            return day.replace(day=1)
        return self._crm_period_bounds(day)[0]

    def _crm_bucket_end(self, bucket_start):
        """Last day of the counter bucket starting on ``bucket_start``."""
        self.ensure_one()
        months = 1 if self.crm_qualification_period == "rolling" else 12
        return bucket_start + relativedelta(months=months) - relativedelta(days=1)

    def _crm_points_query(self, start, end, card_ids=None):
        """SQL of the tier points earned from ``start`` to ``end``: (card_id, points) rows.

        Whole counter buckets inside the range are read from the counter (one row per card and
        bucket); the days at the edges not covered by a whole bucket (a rolling window starting or
        ending mid-month) are summed from the statement. Without ``card_ids``, every card's row.
        """
        self.ensure_one()
        buckets = []
        bucket = self._crm_bucket_start(start)
        if bucket < start:
            bucket = self._crm_bucket_end(bucket) + relativedelta(days=1)
        while self._crm_bucket_end(bucket) <= end:
            buckets.append(bucket)
            bucket = self._crm_bucket_end(bucket) + relativedelta(days=1)
        if buckets:
            edges = [(start, buckets[0] - relativedelta(days=1)), (bucket, end)]
            edges = [(a, b) for a, b in edges if a <= b]
        else:
            edges = [(start, end)]
        cards = SQL(" AND card_id IN %s", tuple(card_ids or [0])) if card_ids is not None else SQL()
        if len(buckets) == 1 and not edges:
            return SQL(
                "SELECT card_id, qualifying_points AS points FROM crm_loyalty_period_points WHERE period_start = %s%s",
                buckets[0],
                cards,
            )
        parts = []
        if buckets:
            parts.append(
                SQL(
                    "SELECT card_id, qualifying_points AS points FROM crm_loyalty_period_points"
                    " WHERE period_start IN %s%s",
                    tuple(buckets),
                    cards,
                )
            )
        parts += [
            SQL(
                "SELECT card_id, qualifying_points AS points FROM loyalty_history"
                " WHERE earned_date BETWEEN %s AND %s%s",
                a,
                b,
                cards,
            )
            for a, b in edges
        ]
        return SQL(
            "SELECT card_id, SUM(points) AS points FROM (%s) AS earned GROUP BY card_id",
            SQL(" UNION ALL ").join(parts),
        )

    def _crm_next_review_date(self, day=None):
        """The day the next period-end review runs (the day after the period ends; monthly when rolling)."""
        self.ensure_one()
        day = day or fields.Date.context_today(self)
        if self.crm_qualification_period == "rolling":
            return day.replace(day=1) + relativedelta(months=1)
        return self._crm_period_bounds(day)[1] + relativedelta(days=1)

    def _crm_expiry_date(self, day):
        """The day an award earned on ``day`` expires (False when the programme's points never expire)."""
        self.ensure_one()
        return day + relativedelta(months=self.crm_expiry_months) if self.crm_expiry_months else False

    def _crm_ladder(self):
        """The tiers points can reach, lowest first (invitation-only tiers are granted, not reached)."""
        self.ensure_one()
        return self.crm_tier_ids.filtered(lambda t: not t.invitation_only)

    def _crm_entry_tier(self):
        """The lowest tier reached by points: every new member starts on it."""
        return self._crm_ladder()[:1]

    def _crm_tier_for_points(self, points):
        """The highest tier (not invitation-only) whose qualification threshold ``points`` reach."""
        ladder = self._crm_ladder()
        reached = ladder.filtered(lambda t: t.qualify_points <= points)
        return reached[-1:] if reached else ladder[:1]

    # ------------------------------------------------------------------ review
    def _crm_review_tiers(self, review_date=None):
        """Period-end review: members below their tier's retention threshold drop exactly one tier.

        Set-based: one statement reads the tier points of the period just ended per member (from the
        per-period counter, not the whole statement), moves the members who missed retention one
        tier down and writes their tier history. Members on an
        invitation-only tier keep it. Returns the tier history rows written.
        """
        self.ensure_one()
        review_date = review_date or fields.Date.context_today(self)
        last_day = review_date - relativedelta(days=1)
        start, end = self._crm_period_bounds(last_day)
        self.env.flush_all()
        reason = self.env._("Review of %(start)s to %(end)s: below the retention threshold", start=start, end=end)
        # one million cards' points fit in memory: hash joins, no spill. No JIT: compiling the plan
        # costs more than it saves on a statement that mostly writes rows.
        self.env.cr.execute("SET LOCAL work_mem = '256MB'")
        self.env.cr.execute("SET LOCAL jit = off")
        # The cards are updated where they are found, in one pass over the members' table (not found
        # first and then joined back to it by id); the points are read only to rule members out: a
        # member stays when the period's row reaches the tier's retention threshold, and a member
        # without a row earned nothing. A tier whose retention is 0 keeps everyone (a period's tier
        # points are never negative: a refund takes back at most its purchase's points, from the
        # purchase's period).
        self.env.cr.execute(
            SQL(
                """
            WITH ladder AS (
                SELECT id, COALESCE(retain_points, 0) AS retain_points,
                       LAG(id) OVER (ORDER BY sequence, qualify_points, id) AS lower_id
                  FROM crm_loyalty_tier
                 WHERE program_id = %(program)s AND active AND invitation_only IS NOT TRUE
            ), earned AS (
                %(earned)s
            ), moved AS (
                UPDATE loyalty_card c
                   SET tier_id = l.lower_id, crm_tier_since = %(day)s,
                       write_date = %(now)s, write_uid = %(uid)s
                  FROM ladder l
                 WHERE c.tier_id = l.id AND l.lower_id IS NOT NULL AND l.retain_points > 0
                   AND c.program_id = %(program)s AND c.active
                   AND NOT EXISTS (SELECT FROM earned e WHERE e.card_id = c.id AND e.points >= l.retain_points)
             RETURNING c.id AS card_id, l.id AS from_id, l.lower_id AS to_id
            )
            INSERT INTO crm_loyalty_tier_history
                   (card_id, from_tier_id, to_tier_id, change_type, date, reason, notice_sent,
                    create_uid, create_date, write_uid, write_date)
            SELECT m.card_id, m.from_id, m.to_id, 'downgrade', %(now)s, %(reason)s, FALSE,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM moved m
            RETURNING id, card_id
            """,
                earned=self._crm_points_query(start, end),
                program=self.id,
                day=review_date,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                reason=reason,
            )
        )
        rows = self.env.cr.fetchall()
        self.env.cr.execute("SET LOCAL work_mem TO DEFAULT")
        self.env.cr.execute("SET LOCAL jit TO DEFAULT")
        self.env.invalidate_all()
        self.crm_last_review_date = review_date
        history = self.env["crm.loyalty.tier.history"].browse([row[0] for row in rows])
        _logger.info("Tier review of %s (%s to %s): %s members moved down", self.name, start, end, len(rows))
        if rows:
            # the card ids come back with the rows: no read of hundreds of thousands of history rows
            self.env["loyalty.card"].browse([row[1] for row in rows])._on_tier_changed(history)
        return history

    @api.model
    def _cron_review_tiers(self):
        """Daily: run the period-end review of every programme whose period ended since its last review."""
        today = fields.Date.context_today(self)
        programs = self.search([("crm_tier_ids", "!=", False)])
        for program in programs:
            if not program.crm_last_review_date:
                # first run: nothing to review before the current period
                rolling = program.crm_qualification_period == "rolling"
                program.crm_last_review_date = today.replace(day=1) if rolling else program._crm_period_bounds(today)[0]
            elif program._crm_next_review_date(program.crm_last_review_date) <= today:
                program._crm_review_tiers(today)
        self.env["loyalty.card"]._cron_send_tier_notices()

    # ------------------------------------------------------------------ vouchers
    def _crm_run_vouchers(self, run_date=None):
        """Convert spendable points in whole blocks into vouchers of the voucher programme.

        The remainder stays on the card; each conversion is written on the statement. Returns the
        vouchers created.
        """
        self.ensure_one()
        run_date = run_date or fields.Date.context_today(self)
        voucher_program = self.crm_voucher_program_id
        if not voucher_program:
            raise UserError(self.env._("Choose the voucher programme of %(program)s first.", program=self.name))
        block = self.crm_voucher_block_points
        cards = self.env["loyalty.card"].search(
            [("program_id", "=", self.id), ("points", ">=", block), ("partner_id", "!=", False)], order="id"
        )
        vouchers = self.env["loyalty.card"]
        for batch in split_every(500, cards.ids, self.env["loyalty.card"].browse):
            vouchers |= batch._crm_convert_to_vouchers(run_date)
        months = VOUCHER_INTERVALS.get(self.crm_voucher_interval or "quarterly", 3)
        self.crm_voucher_next_date = run_date + relativedelta(months=months)
        return vouchers

    @api.model
    def _cron_run_vouchers(self):
        """Daily: run the voucher conversion of the programmes whose next run date has come."""
        today = fields.Date.context_today(self)
        for program in self.search([("crm_voucher_program_id", "!=", False), ("crm_voucher_next_date", "<=", today)]):
            program._crm_run_vouchers(today)

    # ------------------------------------------------------------------ demo
    @api.model
    def _crm_load_demo(self):
        """Demo story: an airline-style tier ladder and a supermarket points-to-voucher club."""
        env = self.env(context=dict(self.env.context, tracking_disable=True, mail_notrack=True))
        ref = env.ref
        today = fields.Date.context_today(self)
        Program, Card = env["loyalty.program"], env["loyalty.card"]
        post = env["crm.loyalty.posting"].post

        # --- Skyways Executive Club: Blue -> Bronze 3,500 -> Silver 7,500 -> Gold 20,000 (1 April year)
        club = Program.create(
            {
                "name": "Skyways Executive Club",
                "program_type": "loyalty",
                "portal_visible": True,
                "portal_point_name": "Avios",
                "crm_qualification_period": "fixed",
                "crm_period_start_month": 4,
                "crm_period_start_day": 1,
                "crm_expiry_months": 36,
                "crm_point_value": 0.008,
                "crm_tier_ids": [
                    (
                        0,
                        0,
                        dict(
                            zip(
                                (
                                    "name",
                                    "sequence",
                                    "qualify_points",
                                    "retain_points",
                                    "earn_multiplier",
                                    "color",
                                    "invitation_only",
                                ),
                                tier,
                                strict=True,
                            )
                        ),
                    )
                    for tier in BA_TIERS
                ],
                "crm_channel_ids": [
                    (0, 0, {"code": "flight", "name": "Flights", "points_per_unit": 1}),
                    (0, 0, {"code": "online", "name": "Online shopping", "points_per_unit": 1}),
                    (0, 0, {"code": "hotel", "name": "Partner hotels", "points_per_unit": 0.5}),
                ],
            }
        )
        start, _end = club._crm_period_bounds(today)
        members = {
            "joel": ref("base.partner_demo_portal"),
            "deco": ref("base.res_partner_2"),
            "gemini": ref("base.res_partner_3"),
            "ready": ref("base.res_partner_4"),
            "landing": ref("base.res_partner_10"),
            "premier": ref("base.res_partner_12"),
            "blue": ref("base.res_partner_18"),
        }
        cards = {
            key: Card.create({"program_id": club.id, "partner_id": partner.id}) for key, partner in members.items()
        }

        def fly(key, ref_, amount, day, channel="flight"):
            post(
                {
                    "member": cards[key].member_number,
                    "amount": amount,
                    "channel": channel,
                    "external_ref": ref_,
                    "source": "demo",
                    "date": day.isoformat(),
                }
            )

        def this_period(days_ago):
            # inside the current qualification period whatever the day the demo is loaded: a purchase
            # of the period before would count towards the review already run, not towards this year
            return max(today - relativedelta(days=days_ago), start)

        # Gold two years ago and kept at last year's review; last year only 4,800 tier points, short of
        # Gold's 15,000 retention: the review at this year's start landed them on Silver (soft landing)
        previous = start - relativedelta(years=1)
        fly("landing", "SKY-LY-1", 21400, previous - relativedelta(months=6))
        club._crm_review_tiers(previous)
        fly("landing", "SKY-LY-2", 4800, start - relativedelta(months=5))
        club._crm_review_tiers(start)
        # an award about to expire (36 months after it was earned)
        fly("blue", "SKY-OLD-1", 640, today - relativedelta(months=36) + relativedelta(days=18))
        fly("blue", "SKY-1", 820, this_period(40))
        fly("deco", "SKY-2", 4100, this_period(60))
        fly("gemini", "SKY-3", 8200, this_period(50))
        fly("ready", "SKY-4", 3900, this_period(30))
        fly("ready", "SKY-5", 3450, this_period(3), channel="online")  # 150 tier points from Silver
        fly("joel", "SKY-6", 12800, this_period(90))
        fly("joel", "SKY-7", 8600, this_period(20))
        fly("joel", "SKY-8", 420, this_period(10), channel="hotel")
        fly("joel", "SKY-9", 300, this_period(9), channel="online")
        post(
            {
                "member": cards["joel"].member_number,
                "amount": 300,
                "channel": "online",
                "external_ref": "SKY-9-R",
                "source": "demo",
                "kind": "refund",
                "original_ref": "SKY-9",
            }
        )
        cards["joel"]._crm_redeem(5000, "Reward flight London - Edinburgh")
        cards["premier"]._crm_set_tier(
            club.crm_tier_ids.filtered("invitation_only"),
            "Invited by the board: founding corporate account",
            "invitation",
        )

        # --- Freshco Clubcard: 1 point per 1 spent, 1 per 2 on fuel; 150 points become a 1.50 voucher
        vouchers = Program.create(
            {
                "name": "Clubcard vouchers",
                "program_type": "coupons",
                "trigger": "with_code",
                "applies_on": "current",
                "portal_visible": True,
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount_mode": "per_point", "discount": 1})],
            }
        )
        clubcard = Program.create(
            {
                "name": "Freshco Clubcard",
                "program_type": "loyalty",
                "portal_visible": True,
                "crm_expiry_months": 24,
                "crm_point_value": 0.01,
                "crm_voucher_program_id": vouchers.id,
                "crm_voucher_block_points": 150,
                "crm_voucher_block_value": 1.5,
                "crm_voucher_validity_months": 24,
                "crm_voucher_interval": "quarterly",
                "crm_refund_policy": "clawback",
                "crm_channel_ids": [
                    (0, 0, {"code": "store", "name": "Store", "points_per_unit": 1}),
                    (0, 0, {"code": "online", "name": "Online groceries", "points_per_unit": 1}),
                    (0, 0, {"code": "fuel", "name": "Petrol station", "points_per_unit": 0.5}),
                ],
            }
        )
        shoppers = [ref("base.partner_demo_portal"), ref("base.res_partner_2"), ref("base.res_partner_18")]
        shop_cards = Card.create([{"program_id": clubcard.id, "partner_id": p.id} for p in shoppers])
        baskets = [
            (0, "store", 212.40),
            (0, "fuel", 68.0),
            (1, "online", 96.15),
            (2, "store", 131.0),
            (0, "store", 54.3),
        ]
        for i, (who, channel, amount) in enumerate(baskets):
            post(
                {
                    "member": shop_cards[who].code,
                    "amount": amount,
                    "channel": channel,
                    "external_ref": f"TILL-{i}",
                    "source": "demo",
                    "date": (today - relativedelta(days=20 - i)).isoformat(),
                }
            )
        clubcard._crm_run_vouchers(today - relativedelta(days=5))
        return True
