# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


import pytz

from odoo import api, fields, models, tools

from .crm_franchise_area import normalize_zip, parse_zip_patterns, zip_specificity


class CrmFranchise(models.Model):
    _name = "crm.franchise"
    _description = "Franchise"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Franchise Company",
        required=True,
        ondelete="restrict",
        domain=[("is_company", "=", True)],
    )
    vrm_recipient_id = fields.Many2one(
        comodel_name="vrm.recipient",
        string="Data Recipient",
        readonly=True,
        copy=False,
        help="What this franchise may see of customers follows the customers' choices for this recipient.",
    )
    company_id = fields.Many2one(comodel_name="res.company", required=True, default=lambda self: self.env.company)
    active = fields.Boolean(default=True, tracking=True)
    area_ids = fields.One2many(comodel_name="crm.franchise.area", inverse_name="franchise_id", string="Service Areas")
    category_ids = fields.Many2many(
        comodel_name="crm.support.category",
        string="Categories Served",
        help="Leave empty to serve every category.",
    )
    calendar_id = fields.Many2one(
        comodel_name="resource.calendar",
        string="Working Hours",
        required=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Opening hours and holidays; SLA deadlines are counted in these hours.",
    )
    area_priority = fields.Integer(
        help="When the service areas of several franchises cover a postcode equally precisely, the highest "
        "priority wins (or, with a rule that balances by load, breaks ties of open requests).",
    )
    default_capacity = fields.Integer(default=10, help="Maximum open tickets per person unless set on the person.")
    user_ids = fields.One2many(comodel_name="res.users", inverse_name="franchise_id", string="Staff")
    manager_ids = fields.Many2many(comodel_name="res.users", compute="_compute_manager_ids", string="Managers")
    ticket_ids = fields.One2many(comodel_name="crm.support.ticket", inverse_name="franchise_id")
    open_ticket_count = fields.Integer(compute="_compute_open_ticket_count")

    _sql_constraints = [
        ("capacity_positive", "CHECK(default_capacity >= 0)", "Capacity cannot be negative."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        franchises = super().create(vals_list)
        self.env.registry.clear_cache()
        Recipient = self.env["vrm.recipient"].sudo()
        for franchise in franchises:
            franchise.vrm_recipient_id = Recipient.create(
                {
                    "name": franchise.name,
                    "recipient_type": "franchise",
                    "partner_id": franchise.partner_id.id,
                    "description": self.env._("Franchise that carries out service requests in its area."),
                }
            )
        return franchises

    @api.depends("user_ids.groups_id")
    def _compute_manager_ids(self):
        group = self.env.ref("crm_support.group_franchise_manager")
        for franchise in self:
            franchise.manager_ids = franchise.user_ids.filtered(lambda u, g=group: g in u.groups_id)

    def _compute_open_ticket_count(self):
        counts = dict(
            self.env["crm.support.ticket"]._read_group(
                [("franchise_id", "in", self.ids), ("is_closed", "=", False)],
                ["franchise_id"],
                ["__count"],
            )
        )
        for franchise in self:
            franchise.open_ticket_count = counts.get(franchise, 0)

    def action_view_tickets(self):
        """Open the tickets of this franchise."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_support.action_crm_support_ticket")
        action["domain"] = [("franchise_id", "=", self.id)]
        action["context"] = {"default_franchise_id": self.id}
        return action

    def write(self, vals):
        res = super().write(vals)
        if {"active", "category_ids", "name"} & set(vals):
            self.env.registry.clear_cache()
        return res

    @api.model
    @tools.ormcache()
    def _compiled_areas(self):
        """Service areas of active franchises as plain tuples, ordered by franchise name (cached), with
        indexes: exact postcodes and prefixes map to area positions; the rest is scanned."""
        areas = self.env["crm.franchise.area"].sudo().search([("franchise_id.active", "=", True)])
        areas = areas.sorted(lambda a: (a.franchise_id.name, a.franchise_id.id))
        compiled = tuple(
            (
                area.franchise_id.id,
                area.country_id.id,
                frozenset(area.state_ids.ids),
                tuple(parse_zip_patterns(area.zip_patterns)),
                frozenset(area.franchise_id.category_ids.ids),
            )
            for area in areas
        )
        exact, prefix, scan = {}, {}, []
        for pos, (__, __, __, patterns, __) in enumerate(compiled):
            if not patterns or any(kind == "range" for kind, __ in patterns):
                scan.append(pos)
                continue
            for kind, value in patterns:
                (exact if kind == "exact" else prefix).setdefault(value, set()).add(pos)
        return compiled, exact, prefix, tuple(scan), max(map(len, prefix), default=0)

    @api.model
    def _find_for_location(self, country=None, state=None, zip_code=None, category=None, tie_break="priority"):
        """Franchises whose service area contains the location and serve the category, the most specific
        area first (an exact postcode over a range over a prefix, a longer prefix over a shorter one),
        then by tie_break: "priority" (the franchise's Area Priority, highest first) or "load" (fewest open
        requests first, then priority), then by name."""
        country_id, state_id, category_id = (
            (country.id if country else False),
            (state.id if state else False),
            (category.id if category else False),
        )
        code = normalize_zip(zip_code)
        compiled, exact, prefix, scan, longest = self._compiled_areas()
        # Only areas whose postcode index holds the code (or one of its prefixes) and those without one.
        positions = set(scan)
        if code:
            positions.update(exact.get(code, ()))
            for size in range(1, min(len(code), longest) + 1):
                positions.update(prefix.get(code[:size], ()))
        best = {}
        for pos in sorted(positions):
            franchise_id, area_country, states, patterns, categories = compiled[pos]
            if area_country and area_country != country_id:
                continue
            if states and state_id not in states:
                continue
            if patterns and not code:
                continue
            specificity = zip_specificity(patterns, code, bool(states))
            if specificity is None:
                continue
            if category_id and categories and category_id not in categories:
                continue
            if franchise_id not in best or specificity > best[franchise_id]:
                best[franchise_id] = specificity
        franchises = self.browse(list(best)).sudo()
        if len(franchises) < 2:
            return self.browse(franchises.ids)
        load = {}
        if tie_break == "load":
            groups = (
                self.env["crm.support.ticket"]
                .sudo()
                ._read_group(
                    [("franchise_id", "in", franchises.ids), ("is_closed", "=", False)], ["franchise_id"], ["__count"]
                )
            )
            load = {franchise.id: count for franchise, count in groups}
        ranked = franchises.sorted(
            lambda f: (
                tuple(-x for x in best[f.id]),
                load.get(f.id, 0),
                -f.area_priority,
                f.name,
                f.id,
            )
        )
        return self.browse(ranked.ids)

    def _scorecard(self, date_from=None, date_to=None):
        """Service measures of this franchise for the period, counted as the Service Measures report does."""
        self.ensure_one()
        domain = [("franchise_id", "=", self.id)]
        if date_from:
            domain.append(("request_date", ">=", date_from))
        if date_to:
            domain.append(("request_date", "<=", date_to))
        # The report is an SQL view over these tables: pending ORM writes must reach them first.
        self.env["crm.support.ticket"].flush_model()
        self.env["crm.support.escalation.log"].flush_model()
        done_stages = self.env["crm.support.stage"].sudo().search([("code", "=", "done")])
        aggregates = ["volume:sum", "sla_met:sum", "sla_measured:sum", "escalations:sum"]
        for fname in ("response_hours", "resolution_hours", "rating"):
            aggregates += [f"{fname}:sum", f"{fname}:count"]
        groups = self.env["crm.support.report"].sudo()._read_group(domain, ["is_closed", "stage_id"], aggregates)
        total = dict.fromkeys(aggregates, 0)
        for _closed, _stage, *values in groups:
            for aggregate, value in zip(aggregates, values, strict=True):
                total[aggregate] += value or 0

        def ratio(part, whole, factor=1.0, digits=2):
            return round(factor * total[part] / total[whole], digits) if total[whole] else None

        return {
            "franchise": self.name,
            "volume": total["volume:sum"],
            "open": sum(values[0] for closed, _stage, *values in groups if not closed),
            "done": sum(values[0] for _closed, stage, *values in groups if stage in done_stages),
            "avg_first_response_hours": ratio("response_hours:sum", "response_hours:count"),
            "avg_resolution_hours": ratio("resolution_hours:sum", "resolution_hours:count"),
            "sla_compliance_pct": ratio("sla_met:sum", "sla_measured:sum", 100.0, 1),
            "escalations": total["escalations:sum"],
            "avg_rating": ratio("rating:sum", "rating:count"),
        }

    def _rank_candidates(self, ticket, rule, now):
        """Rank this franchise's staff for the ticket by the rule's strategy.

        Returns {"users": ranked available users, "why": reason of the first, "log": [(user, line)]}.
        Three queries whatever the size of the franchise: staff with load and skill, leaves, history.
        """
        self.ensure_one()
        skill = ticket.category_id.skill_id
        staff = self._staff_rows(ticket, skill, now)
        if not staff:
            return {
                "users": self.env["res.users"],
                "why": "",
                "log": [(None, self.env._("%s has no staff.", self.name))],
                "first_name": "",
            }
        available, log = self._available_staff(staff, rule, now)
        previous_id = None
        if rule.strategy == "chain" and ticket.commercial_partner_id and available:
            self.env.cr.execute(
                """
                SELECT user_id FROM crm_support_ticket
                 WHERE commercial_partner_id = %s AND user_id = ANY(%s) AND id != %s
                 ORDER BY id DESC LIMIT 1
                """,
                (ticket.commercial_partner_id.id, [row["id"] for row in available], ticket.id or 0),
            )
            found = self.env.cr.fetchone()
            previous_id = found and found[0]

        def key(row):
            if rule.strategy == "round_robin":
                return (row["order"], row["id"])
            if rule.strategy == "least_open":
                return (row["open"], row["order"], row["id"])
            return (row["id"] != previous_id, not row["skill"], row["open"], row["order"], row["id"])

        ranked = sorted(available, key=key)
        why = ""
        if ranked:
            first = ranked[0]
            if rule.strategy == "round_robin":
                why = self.env._("round robin")
            elif rule.strategy == "chain" and first["id"] == previous_id:
                why = self.env._("previous servicer of this customer")
            elif rule.strategy == "chain" and first["skill"]:
                why = self.env._("has the skill %s", skill.name)
            else:
                why = self.env._("least open tickets")
        log += [
            (row["id"], self.env._("%(user)s: available, %(count)s open", user=row["name"], count=row["open"]))
            for row in ranked
        ]
        return {
            "users": self.env["res.users"].browse([row["id"] for row in ranked]),
            "why": why,
            "log": log,
            "first_name": ranked[0]["name"] if ranked else "",
        }

    @api.model
    @tools.ormcache()
    def _staff_rosters(self):
        """Who takes each franchise's tickets (cached until a user, a skill or a franchise changes):
        {franchise id: tuples (user id, name, resource id, own capacity or 0, skill ids), by user id}."""
        self.env["res.users"].flush_model(
            ["franchise_id", "active", "support_takes_tickets", "support_capacity", "support_resource_id"]
        )
        self.env["res.partner"].flush_model(["name"])
        self.env.cr.execute(
            """
            SELECT u.franchise_id, u.id, p.name, u.support_resource_id, COALESCE(u.support_capacity, 0),
                   ARRAY(SELECT s.crm_support_skill_id FROM crm_support_skill_res_users_rel s
                          WHERE s.res_users_id = u.id)
              FROM res_users u
              JOIN res_partner p ON p.id = u.partner_id
             WHERE u.franchise_id IS NOT NULL AND u.active AND COALESCE(u.support_takes_tickets, TRUE)
             ORDER BY u.id
            """
        )
        rosters = {}
        for franchise_id, uid, name, resource, capacity, skills in self.env.cr.fetchall():
            rosters.setdefault(franchise_id, []).append((uid, name, resource, capacity, frozenset(skills)))
        return {franchise_id: tuple(rows) for franchise_id, rows in rosters.items()}

    def _staff_rows(self, ticket, skill, now):
        """Staff taking tickets with capacity, open tickets, round-robin order, skill and leave.

        The roster is cached; what changes with every ticket (open tickets, last ticket, leaves today)
        is one light query: per person, an index look-up for the open tickets and one for the last
        ticket, however many closed tickets each person's history holds.
        """
        roster = self._staff_rosters().get(self.id, ())
        if not roster:
            return []
        self.env["crm.support.ticket"].flush_model(["user_id", "is_closed"])
        self.env["resource.calendar.leaves"].flush_model()
        self.env["res.users"].flush_model(["support_away"])
        user_ids = [row[0] for row in roster]
        self.env.cr.execute(
            """
            SELECT u.id,
                   (SELECT count(*) FROM crm_support_ticket t
                     WHERE t.user_id = u.id AND t.is_closed IS NOT TRUE AND t.id != %(ticket)s),
                   (SELECT COALESCE(max(t.id), 0) FROM crm_support_ticket t
                     WHERE t.user_id = u.id AND t.id != %(ticket)s),
                   NULL,
                   (SELECT COALESCE(x.support_away, FALSE) FROM res_users x WHERE x.id = u.id)
              FROM unnest(%(users)s::int[]) AS u(id)
            UNION ALL
            SELECT NULL, NULL, NULL, COALESCE(l.resource_id, 0), NULL
              FROM resource_calendar_leaves l
             WHERE l.time_type = 'leave' AND l.date_from <= %(now)s AND l.date_to > %(now)s
               AND (l.resource_id = ANY(%(resources)s)
                    OR (l.resource_id IS NULL AND (l.calendar_id = %(calendar)s OR l.calendar_id IS NULL)))
            """,
            {
                "users": user_ids,
                "ticket": ticket.id or 0,
                "now": now,
                "resources": [row[2] for row in roster if row[2]],
                "calendar": self.calendar_id.id,
            },
        )
        load, on_leave, away = {}, set(), set()
        for user_id, open_count, last_id, resource_id, is_away in self.env.cr.fetchall():
            if user_id:
                load[user_id] = (open_count, last_id)
                if is_away:
                    away.add(user_id)
            else:
                on_leave.add(resource_id)
        holiday = 0 in on_leave
        return [
            {
                "id": uid,
                "name": name,
                "resource": resource,
                "capacity": capacity or self.default_capacity,
                "order": load.get(uid, (0, 0))[1],
                "open": load.get(uid, (0, 0))[0],
                "skill": bool(skill) and skill.id in skills,
                "on_leave": bool(resource) and resource in on_leave,
                "away": uid in away,
                "holiday": holiday,
            }
            for uid, name, resource, capacity, skills in roster
        ]

    def _on_duty_now(self, now):
        """Whether the franchise's calendar has working time at this moment (attendances in its time zone)."""
        # The calendar from a cache, not read: this runs on every routing decision.
        tz, two_weeks, attendances = self._calendar_schedule(self.calendar_id.id)
        local = pytz.utc.localize(now).astimezone(pytz.timezone(tz or "UTC"))
        hour = local.hour + local.minute / 60.0
        day = str(local.weekday())
        today = local.date()
        # A two-week calendar has an attendance set per week parity; only this week's counts.
        week_type = str(self.env["resource.calendar.attendance"].get_week_type(today)) if two_weeks else None
        return any(
            dayofweek == day
            and (week_type is None or att_week == week_type)
            and hour_from <= hour < hour_to
            and (not date_from or date_from <= today)
            and (not date_to or today <= date_to)
            for dayofweek, att_week, hour_from, hour_to, date_from, date_to in attendances
        )

    @api.model
    @tools.ormcache("calendar_id")
    def _calendar_schedule(self, calendar_id):
        """A calendar's time zone, whether it alternates two weeks, and its working attendances (no
        section lines, no lunch) as plain tuples (dayofweek, week_type, hour_from, hour_to, date_from,
        date_to). Cached; cleared when the calendar or an attendance changes (crm.support.cached.mixin)."""
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id)
        attendances = self.env["resource.calendar.attendance"].sudo().search([("calendar_id", "=", calendar_id)])
        return (
            calendar.tz,
            calendar.two_weeks_calendar,
            tuple(
                (att.dayofweek, att.week_type, att.hour_from, att.hour_to, att.date_from, att.date_to)
                for att in attendances
                if not att.display_type and att.day_period != "lunch"
            ),
        )

    def _available_staff(self, staff, rule, now):
        """Staff not on leave (nor off duty when the rule asks) and under capacity, with the log."""
        holiday = bool(staff) and staff[0]["holiday"]
        off_duty = rule.require_on_duty and (holiday or not self._on_duty_now(now))
        available, log = [], []
        for row in staff:
            if off_duty:
                log.append((row["id"], self.env._("%s: on leave or outside working hours", row["name"])))
            elif row["on_leave"] or holiday:
                log.append((row["id"], self.env._("%s: on leave", row["name"])))
            elif row["away"]:
                log.append((row["id"], self.env._("%s: away", row["name"])))
            elif row["open"] >= row["capacity"]:
                log.append(
                    (
                        row["id"],
                        self.env._("%(user)s: at capacity (%(count)s open)", user=row["name"], count=row["open"]),
                    )
                )
            else:
                available.append(row)
        return available, log
