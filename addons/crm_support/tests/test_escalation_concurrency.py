# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

TICKETS = 12
SERVERS = 2


@tagged("post_install", "-at_install")
class TestEscalationConcurrency(BaseCase):
    """Committed tickets, one cursor per thread: two servers running the escalation cron at the same time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})
            uk = env.ref("base.uk")
            calendar = env["resource.calendar"].create(
                {
                    "name": f"Race 24/7 {tag}",
                    "tz": "UTC",
                    "attendance_ids": [
                        Command.create({"name": f"d{d}", "dayofweek": str(d), "hour_from": 0, "hour_to": 24})
                        for d in range(7)
                    ],
                }
            )
            franchise = env["crm.franchise"].create(
                {
                    "name": f"Race franchise {tag}",
                    "partner_id": env["res.partner"].create({"name": f"Race Ltd {tag}", "is_company": True}).id,
                    "calendar_id": calendar.id,
                    "area_ids": [Command.create({"country_id": uk.id, "zip_patterns": "ZZ9*"})],
                }
            )
            users = env["res.users"].with_context(no_reset_password=True)
            people = {}
            for key, group, mobile in (
                ("assignee", "crm_support.group_franchise_staff", "+447911000101"),
                ("manager", "crm_support.group_franchise_manager", "+447911000102"),
                ("head_office", "crm_support.group_support_triage", "+447911000103"),
            ):
                people[key] = users.create(
                    {
                        "name": f"Race {key} {tag}",
                        "login": f"race_{key}_{tag}",
                        "email": f"race_{key}_{tag}@example.com",
                        "mobile": mobile,
                        "groups_id": [Command.set(env.ref(group).ids)],
                        "franchise_id": franchise.id if key != "head_office" else False,
                    }
                )
            policy = env["crm.support.sla.policy"].create(
                {
                    "name": f"Race policy {tag}",
                    "sequence": 10000,
                    "active": False,
                    "level_ids": [
                        Command.create({"name": f"Reminder {tag}", "offset_minutes": -30, "notify": "assignee"}),
                        Command.create({"name": f"Breach {tag}", "offset_minutes": 0, "notify": "manager"}),
                        Command.create({"name": f"Head office {tag}", "offset_minutes": 60, "notify": "head_office"}),
                    ],
                }
            )
            tickets = (
                env["crm.support.ticket"]
                .with_context(crm_support_no_route=True, crm_support_no_ack=True, mail_create_nolog=True)
                .create([{"subject": f"Race {i}", "zip": "ZZ9 1AA", "country_id": uk.id} for i in range(TICKETS)])
            )
            # Every level is due: the resolution deadline passed two hours ago.
            past = datetime.now() - timedelta(hours=2)
            tickets.with_context(crm_support_sla_write=True).write(
                {
                    "user_id": people["assignee"].id,
                    "franchise_id": franchise.id,
                    "sla_policy_id": policy.id,
                    "sla_resolution_deadline": past,
                }
            )
            tickets._sla_update_next_escalation()
            # Other committed tickets stay out of this sweep (restored afterwards).
            cr.execute(
                """UPDATE crm_support_ticket t SET next_escalation_at = NULL
                     FROM crm_support_ticket o
                    WHERE t.id = o.id AND o.next_escalation_at IS NOT NULL AND NOT (t.id = ANY(%s))
                RETURNING t.id, o.next_escalation_at""",
                [tickets.ids],
            )
            self.others = cr.fetchall()
            cr.execute("SELECT COALESCE(max(id), 0) FROM sms_sms")
            self.last_sms_id = cr.fetchone()[0]
            self.ids = {
                "calendar": calendar.id,
                "franchise": franchise.id,
                "people": {key: user.id for key, user in people.items()},
                "partners": {key: user.partner_id.id for key, user in people.items()},
                "policy": policy.id,
                "levels": policy.level_ids.ids,
                "tickets": tickets.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            tickets = env["crm.support.ticket"].browse(self.ids["tickets"])
            partner_ids = list(self.ids["partners"].values())
            # Every SMS of this test (other head-office people of the database get one too).
            env["sms.sms"].search([("id", ">", self.last_sms_id), ("body", "ilike", "Escalation")]).unlink()
            env["mail.message"].search([("model", "=", tickets._name), ("res_id", "in", tickets.ids)]).unlink()
            tickets.unlink()
            env["crm.support.sla.policy"].browse(self.ids["policy"]).unlink()
            users = env["res.users"].browse(list(self.ids["people"].values()))
            resources = users.resource_ids
            users.unlink()
            resources.unlink()
            franchise = env["crm.franchise"].browse(self.ids["franchise"])
            recipient = franchise.vrm_recipient_id
            franchise.unlink()
            recipient.unlink()
            env["res.partner"].browse(partner_ids).unlink()
            env["resource.calendar"].browse(self.ids["calendar"]).unlink()
            for ticket_id, due in self.others:
                cr.execute("UPDATE crm_support_ticket SET next_escalation_at = %s WHERE id = %s", (due, ticket_id))

    def _env(self, cr):
        # the registry's class lock is held by the test runner's thread: hand the registry over directly
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def _server(self, barrier, batch_size):
        """One server's cron run; a serialisation failure rolls it back and the next run goes on, as ir.cron does."""
        barrier.wait(timeout=30)
        fired = 0
        for _attempt in range(50):
            try:
                with self.registry.cursor() as cr:
                    fired += self._env(cr)["crm.support.ticket"]._cron_escalate(batch_size=batch_size)
                    return fired
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                continue
        raise AssertionError("the cron never got through")

    def test_two_servers_fire_each_level_once(self):
        """Two cron runs at once on the same due tickets: one log row, SMS, e-mail and note per level and ticket."""
        barrier = threading.Barrier(SERVERS)
        with mute_logger("odoo.sql_db"), ThreadPoolExecutor(max_workers=SERVERS) as pool:
            runs = list(pool.map(lambda size: self._server(barrier, size), [3, 4]))
        with self.registry.cursor() as cr:
            env = self._env(cr)
            tickets = env["crm.support.ticket"].browse(self.ids["tickets"])
            levels = env["crm.support.escalation.level"].browse(self.ids["levels"])
            logs = env["crm.support.escalation.log"].search([("ticket_id", "in", tickets.ids)])
            self.assertEqual(len(logs), TICKETS * 3, f"runs fired {runs}")
            pairs = {(log.ticket_id, log.level_id) for log in logs}
            self.assertEqual(pairs, {(ticket, level) for ticket in tickets for level in levels})
            self.assertFalse(any(tickets.mapped("next_escalation_at")), "nothing left to fire")
            for key, number in (
                ("assignee", "+447911000101"),
                ("manager", "+447911000102"),
                ("head_office", "+447911000103"),
            ):
                sms = env["sms.sms"].search([("number", "=", number), ("body", "ilike", "Escalation")])
                self.assertEqual(len(sms), TICKETS, f"one SMS per ticket to the {key}")
                self.assertEqual(len(set(sms.mapped("body"))), TICKETS)
                mails = env["mail.mail"].search(
                    [
                        ("model", "=", tickets._name),
                        ("res_id", "in", tickets.ids),
                        ("recipient_ids", "in", self.ids["partners"][key]),
                    ]
                )
                self.assertEqual(len(mails), TICKETS, f"one e-mail per ticket to the {key}")
                self.assertEqual(sorted(mails.mapped("res_id")), sorted(tickets.ids))
            for ticket in tickets:
                notes = ticket.message_ids.filtered(
                    lambda m: m.message_type == "notification" and "Escalation" in (m.body or "")
                )
                self.assertEqual(len(notes), 3, "one chatter note per level")
