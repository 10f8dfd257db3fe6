# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

# The tier points each card earned per qualification period (per month for rolling-12-months
# programmes), kept by triggers on loyalty_history so that every writer counts: Odoo's own sale,
# POS and eCommerce flows through the ORM, and the SQL of post_batch alike. The period-end review
# and the upgrade check read one row per card instead of summing the whole statement.
PERIOD_POINTS_SQL = """
CREATE TABLE IF NOT EXISTS crm_loyalty_period_points (
    card_id integer NOT NULL REFERENCES loyalty_card (id) ON DELETE CASCADE,
    period_start date NOT NULL,
    qualifying_points double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (card_id, period_start)
);
COMMENT ON TABLE crm_loyalty_period_points IS
    'crm_loyalty: tier points per card and qualification period, kept by triggers on loyalty_history';

-- first day of the bucket holding ``day``: the period for a calendar or fixed-start year, the month
-- for rolling programmes (mirrors loyalty.program._crm_bucket_start). Only immutable operations (no
-- time zone: date_trunc of a timestamp, not of a timestamptz), so the planner inlines it.
CREATE OR REPLACE FUNCTION crm_loyalty_period_start(kind varchar, start_month integer, start_day integer, day date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN kind = 'rolling' THEN date_trunc('month', day::timestamp)::date
        WHEN kind = 'calendar' THEN make_date(extract(year FROM day)::int, 1, 1)
        ELSE (make_date(extract(year FROM day)::int, COALESCE(NULLIF(start_month, 0), 4),
                        COALESCE(NULLIF(start_day, 0), 1))
              - CASE WHEN make_date(extract(year FROM day)::int, COALESCE(NULLIF(start_month, 0), 4),
                                    COALESCE(NULLIF(start_day, 0), 1)) > day
                     THEN interval '1 year' ELSE interval '0' END)::date
    END
$$;

CREATE OR REPLACE FUNCTION crm_loyalty_period_points_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO crm_loyalty_period_points AS t (card_id, period_start, qualifying_points)
    SELECT n.card_id,
           crm_loyalty_period_start(p.crm_qualification_period, p.crm_period_start_month,
                                    p.crm_period_start_day, n.earned_date),
           SUM(n.qualifying_points)
      FROM crm_new_rows n
      JOIN loyalty_card c ON c.id = n.card_id
      JOIN loyalty_program p ON p.id = c.program_id
     WHERE n.qualifying_points <> 0 AND n.earned_date IS NOT NULL
     GROUP BY 1, 2
     ORDER BY 1, 2
        ON CONFLICT (card_id, period_start)
        DO UPDATE SET qualifying_points = t.qualifying_points + EXCLUDED.qualifying_points;
    RETURN NULL;
END
$$;

-- a deleted card takes its counter rows with it (cascade): only existing rows are updated
CREATE OR REPLACE FUNCTION crm_loyalty_period_points_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE crm_loyalty_period_points t
       SET qualifying_points = t.qualifying_points - d.points
      FROM (SELECT o.card_id,
                   crm_loyalty_period_start(p.crm_qualification_period, p.crm_period_start_month,
                                            p.crm_period_start_day, o.earned_date) AS period_start,
                   SUM(o.qualifying_points) AS points
              FROM crm_old_rows o
              JOIN loyalty_card c ON c.id = o.card_id
              JOIN loyalty_program p ON p.id = c.program_id
             WHERE o.qualifying_points <> 0 AND o.earned_date IS NOT NULL
             GROUP BY 1, 2) d
     WHERE t.card_id = d.card_id AND t.period_start = d.period_start;
    RETURN NULL;
END
$$;

-- row level, and only for the rows whose tier points, date or card change (the FIFO updates of
-- the unspent points do not call it)
CREATE OR REPLACE FUNCTION crm_loyalty_period_points_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.qualifying_points <> 0 AND OLD.earned_date IS NOT NULL THEN
        UPDATE crm_loyalty_period_points t
           SET qualifying_points = t.qualifying_points - OLD.qualifying_points
          FROM loyalty_card c JOIN loyalty_program p ON p.id = c.program_id
         WHERE c.id = OLD.card_id AND t.card_id = OLD.card_id
           AND t.period_start = crm_loyalty_period_start(p.crm_qualification_period, p.crm_period_start_month,
                                                         p.crm_period_start_day, OLD.earned_date);
    END IF;
    IF NEW.qualifying_points <> 0 AND NEW.earned_date IS NOT NULL THEN
        INSERT INTO crm_loyalty_period_points AS t (card_id, period_start, qualifying_points)
        SELECT NEW.card_id,
               crm_loyalty_period_start(p.crm_qualification_period, p.crm_period_start_month,
                                        p.crm_period_start_day, NEW.earned_date),
               NEW.qualifying_points
          FROM loyalty_card c JOIN loyalty_program p ON p.id = c.program_id
         WHERE c.id = NEW.card_id
            ON CONFLICT (card_id, period_start)
            DO UPDATE SET qualifying_points = t.qualifying_points + EXCLUDED.qualifying_points;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS crm_loyalty_period_points_insert ON loyalty_history;
CREATE TRIGGER crm_loyalty_period_points_insert AFTER INSERT ON loyalty_history
    REFERENCING NEW TABLE AS crm_new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_loyalty_period_points_insert();
DROP TRIGGER IF EXISTS crm_loyalty_period_points_delete ON loyalty_history;
CREATE TRIGGER crm_loyalty_period_points_delete AFTER DELETE ON loyalty_history
    REFERENCING OLD TABLE AS crm_old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_loyalty_period_points_delete();
DROP TRIGGER IF EXISTS crm_loyalty_period_points_update ON loyalty_history;
CREATE TRIGGER crm_loyalty_period_points_update AFTER UPDATE ON loyalty_history
    FOR EACH ROW
    WHEN (OLD.qualifying_points IS DISTINCT FROM NEW.qualifying_points
          OR OLD.earned_date IS DISTINCT FROM NEW.earned_date
          OR OLD.card_id IS DISTINCT FROM NEW.card_id)
    EXECUTE FUNCTION crm_loyalty_period_points_update();
"""

PERIOD_POINTS_DROP_SQL = """
DROP TRIGGER IF EXISTS crm_loyalty_period_points_insert ON loyalty_history;
DROP TRIGGER IF EXISTS crm_loyalty_period_points_delete ON loyalty_history;
DROP TRIGGER IF EXISTS crm_loyalty_period_points_update ON loyalty_history;
DROP FUNCTION IF EXISTS crm_loyalty_period_points_insert();
DROP FUNCTION IF EXISTS crm_loyalty_period_points_delete();
DROP FUNCTION IF EXISTS crm_loyalty_period_points_update();
DROP FUNCTION IF EXISTS crm_loyalty_period_start(varchar, integer, integer, date);
DROP TABLE IF EXISTS crm_loyalty_period_points;
"""


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    crm_kind = fields.Selection(
        selection=[
            ("order", "Order"),
            ("award", "Purchase"),
            ("refund", "Refund"),
            ("redeem", "Redemption"),
            ("voucher", "Voucher"),
            ("clawback", "Voucher claw-back"),
            ("expiry", "Expiry"),
            ("adjustment", "Adjustment"),
        ],
        string="Type",
    )
    qualifying_points = fields.Float(string="Tier points", help="Points counting towards tiers (not spendable).")
    remaining_points = fields.Float(string="Unspent", help="Part of this award not yet spent or expired.")
    earned_date = fields.Date(
        string="Date", default=fields.Date.context_today, index=True, help="Day the points were earned or used."
    )
    expiry_date = fields.Date(string="Expires on", index="btree_not_null")
    crm_bonus_points = fields.Float(string="Tier bonus", help="Spendable points added by the tier multiplier.")
    crm_expiry_notified = fields.Boolean(string="Expiry notice sent")
    posting_id = fields.Many2one(comodel_name="crm.loyalty.posting", index="btree_not_null", ondelete="set null")
    voucher_card_id = fields.Many2one(comodel_name="loyalty.card", string="Voucher", ondelete="set null")
    # the till's receipt and the posting system, read from the posting (searchable, no column per row)
    crm_external_ref = fields.Char(related="posting_id.external_ref", string="External reference")
    crm_source = fields.Char(related="posting_id.source", string="Source")
    # related, not stored: statements reach ten million rows, every stored column costs on insert
    partner_id = fields.Many2one(related="card_id.partner_id", string="Member")
    program_id = fields.Many2one(related="card_id.program_id")
    user_id = fields.Many2one(related="create_uid", string="By")

    def init(self):
        """Index the per-card, per-date sums of the tier review; the per-card FIFO scans use it too.

        Every statement row pays for every index on insert, and at ten million rows each per-card
        index costs a random page per purchase: the FIFO scan reads a card's few rows through this
        one, and no search filters on the kind, so those two indexes are not kept.
        """
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS loyalty_history_card_earned_idx
                   ON loyalty_history (card_id, earned_date) INCLUDE (qualifying_points)"""
        )
        self.env.cr.execute("DROP INDEX IF EXISTS loyalty_history_unspent_idx")
        self.env.cr.execute("DROP INDEX IF EXISTS loyalty_history__crm_kind_index")
        # the triggers read the programme's period settings: set up once every model has its columns
        self.pool.post_init(self._crm_setup_period_points)

    def _crm_setup_period_points(self):
        """Create the per-period tier points counter and its triggers; fill it from the statement when new."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass('crm_loyalty_period_points') IS NULL")
        new = cr.fetchone()[0]
        cr.execute(PERIOD_POINTS_SQL)
        if new:
            self.env["loyalty.card"]._crm_rebuild_period_points()

    @api.model_create_multi
    def create(self, vals_list):
        """Rows written by Odoo's own flows (sales, POS, eCommerce, balance wizard) join the tier ledger.

        Awards get the tier multiplier and count as tier points; points used consume the
        soonest-expiring awards first.
        """
        if self.env.context.get("crm_ledger"):
            return super().create(vals_list)
        manual = self.env.context.get("crm_manual_adjustment")
        cards = self.env["loyalty.card"].browse({vals["card_id"] for vals in vals_list if vals.get("card_id")})
        loyalty_cards = cards.filtered(lambda c: c.program_id.program_type == "loyalty")
        loyalty_cards._crm_lock()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            card = loyalty_cards.browse(vals.get("card_id"))
            if card not in loyalty_cards or vals.get("crm_kind"):
                continue
            issued = vals.get("issued") or 0.0
            vals.setdefault("earned_date", today)
            if manual:
                vals.update(crm_kind="adjustment", remaining_points=issued)
                continue
            tier = card.tier_id or card.program_id._crm_entry_tier()
            multiplier = tier.earn_multiplier if tier else 1.0
            spendable = round(issued * multiplier, 2)
            vals.update(
                crm_kind="order",
                issued=spendable,
                qualifying_points=issued,
                remaining_points=spendable,
                crm_bonus_points=spendable - issued,
                expiry_date=card.program_id._crm_expiry_date(vals["earned_date"]),
            )
        rows = super().create(vals_list)
        for row in rows.filtered(lambda r: r.crm_kind in ("order", "adjustment")):
            card = row.card_id
            if row.crm_bonus_points:
                card._crm_set_points(card.points + row.crm_bonus_points)
            if row.used:
                card._crm_consume(row.used)
        rows.filtered(lambda r: r.crm_kind == "order" and r.qualifying_points).card_id._crm_check_upgrade()
        return rows

    def write(self, vals):
        """Points Odoo adds to ``used`` on an existing row (a reward added to a confirmed order) are spent FIFO too."""
        track = "used" in vals and not self.env.context.get("crm_ledger")
        before = {row.id: row.used for row in self} if track else {}
        res = super().write(vals)
        if track:
            for row in self.filtered(lambda r: r.crm_kind in ("order", "adjustment")):
                spent = row.used - before[row.id]
                if spent > 0:
                    row.card_id._crm_consume(spent)
        return res

    def unlink(self):
        """A cancelled order takes back the tier bonus its history row had added."""
        if not self.env.context.get("crm_ledger"):
            for row in self.filtered(lambda r: r.crm_kind == "order" and r.crm_bonus_points):
                row.card_id._crm_set_points(row.card_id.points - row.crm_bonus_points)
        return super().unlink()
