# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.tests import tagged

from odoo.addons.crm_support.tests.common import SupportCase

from .common import ApiCase


@tagged("post_install", "-at_install")
class TestSupportApi(ApiCase, SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keys = {
            user: cls._make_key(user)
            for user in (cls.alice, cls.bob, cls.london_mgr, cls.zoe, cls.zurich_mgr, cls.support_user)
        }
        cls.carla_key = cls._make_key(cls.customer_user)

    def _open(self, key=None, **extra):
        payload = {
            "subject": "Cracked windscreen",
            "zip": "SW1A 1AA",
            "country": "GB",
            "category": "t_windscreen",
            "description": "<b>Chip</b> on the driver side",
            **extra,
        }
        return self.api("POST", "/support/tickets", key=key or self.carla_key, json=payload)

    def _ticket_by_ref(self, reference):
        return self.env["crm.support.ticket"].search([("name", "=", reference)])

    def test_customer_opens_ticket_routed_like_any_other(self):
        """A customer key opens a request: API channel, own customer record, routed to London staff."""
        response = self._open()
        self.assertEqual(response.status_code, 201, response.text)
        created = response.json()
        self.assertRegex(created["reference"], r"^SR-\d{4}-\d{6}$")
        ticket = self._ticket_by_ref(created["reference"])
        self.assertEqual((ticket.channel, ticket.partner_id), ("api", self.customer))
        self.assertEqual(ticket.franchise_id, self.franchise_london)
        self.assertIn(ticket.user_id, self.alice | self.bob)
        self.assertEqual(created["status"], "assigned")
        self.assertNotIn("<b>", ticket.description)

    def test_customer_cannot_file_for_someone_else(self):
        """partner_id from a customer key is ignored: the request is theirs."""
        created = self._open(partner_id=self.other_customer.id).json()
        self.assertEqual(self._ticket_by_ref(created["reference"]).partner_id, self.customer)

    def test_intake_validation_is_the_addons(self):
        """Bad postcodes are refused with crm_support's message; nothing is created."""
        before = self.env["crm.support.ticket"].search_count([])
        self.assertProblem(self._open(zip="NOPE!!"), 422, "not a valid postcode")
        self.assertEqual(self.env["crm.support.ticket"].search_count([]), before)

    def test_public_intake_and_status_by_token(self):
        """Without a key: needs a contact, gets reference and token; the status needs the right token."""
        self.assertProblem(
            self.api("POST", "/support/public/tickets", json={"subject": "Help", "zip": "SW1A 1AA", "country": "GB"}),
            422,
            "reach you",
        )
        payload = {"subject": "Window", "email": "anon@example.com", "zip": "SW1A 1AA", "country": "GB"}
        created = self.api("POST", "/support/public/tickets", json=payload).json()
        ticket = self._ticket_by_ref(created["reference"])
        self.assertEqual(ticket.channel, "public")
        self.assertEqual(ticket.partner_id.email, "anon@example.com")
        status = self.api("GET", f"/support/status/{created['reference']}?token={created['access_token']}")
        self.assertEqual(status.json()["status"], ticket.stage_code)
        self.assertProblem(self.api("GET", f"/support/status/{created['reference']}?token=wrongtoken123"), 404)

    def test_public_intake_never_attaches_to_existing_customer(self):
        """Without a key, a caller typing a customer's mobile gets a contact of its own: the request is not in
        the customer's list and her record is untouched."""
        before = self.customer.read(["name", "email", "mobile", "write_date"])
        payload = {"subject": "Not Carla's", "contact_name": "Mallory", "phone": "07911 123400", "country": "GB"}
        created = self.api("POST", "/support/public/tickets", json=payload)
        self.assertEqual(created.status_code, 201, created.text)
        ticket = self._ticket_by_ref(created.json()["reference"])
        self.assertNotEqual(ticket.partner_id, self.customer)
        self.assertEqual((ticket.partner_id.name, ticket.partner_id.mobile), ("Mallory", "+447911123400"))
        self.assertIn(self.env.ref("crm_support.partner_category_unverified"), ticket.partner_id.category_id)
        mine = self.api("GET", "/support/tickets?state=all", key=self.carla_key).json()
        self.assertNotIn(ticket.name, [t["reference"] for t in mine["items"]])
        self.assertEqual(self.customer.read(["name", "email", "mobile", "write_date"]), before)

    def test_public_intake_rate_limited(self):
        """The public form's per-IP limit applies to the API too."""
        self.env["ir.config_parameter"].sudo().set_param("crm_support.intake_rate_limit", 2)
        payload = {"subject": "Window", "email": "anon@example.com"}
        for _i in range(2):
            self.assertEqual(self.api("POST", "/support/public/tickets", json=payload).status_code, 201)
        self.assertProblem(self.api("POST", "/support/public/tickets", json=payload), 429)

    def test_franchise_flow_accept_message_stage_close(self):
        """The assignee sees the ticket in their queue, accepts, messages, moves it and closes it."""
        reference = self._open().json()["reference"]
        ticket = self._ticket_by_ref(reference)
        assignee = ticket.user_id
        key = self.keys[assignee]
        queue = self.api("GET", "/support/tickets", key=key).json()
        self.assertEqual([t["reference"] for t in queue["items"]], [reference])
        self.assertEqual(queue["items"][0]["customer"]["name"], self.customer.name)
        accepted = self.api("POST", f"/support/tickets/{reference}/accept", key=key).json()
        self.assertEqual(accepted["status"], "in_progress")
        posted = self.api("POST", f"/support/tickets/{reference}/messages", key=key, json={"body": "On my way"}).json()
        message = self.env["mail.message"].browse(posted["message_id"])
        self.assertIn(self.customer, message.partner_ids)
        moved = self.api("POST", f"/support/tickets/{reference}/stage", key=key, json={"stage": "waiting"}).json()
        self.assertEqual(moved["status"], "waiting")
        closed = self.api(
            "POST", f"/support/tickets/{reference}/close", key=key, json={"resolution": "Windscreen replaced"}
        ).json()
        self.assertEqual((closed["status"], closed["resolution"]), ("done", "Windscreen replaced"))
        mine = self.api("GET", f"/support/tickets/{reference}", key=self.carla_key).json()
        self.assertEqual(mine["status"], "done")
        self.assertIsNone(mine["customer"])

    def test_decline_passes_to_next_candidate(self):
        """Declining hands the ticket to the other London staff member."""
        reference = self._open().json()["reference"]
        ticket = self._ticket_by_ref(reference)
        first = ticket.user_id
        response = self.api(
            "POST", f"/support/tickets/{reference}/decline", key=self.keys[first], json={"reason": "Off sick"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.user_id, (self.alice | self.bob) - first)

    def test_technician_sets_herself_away(self):
        """A technician's key sets her away: new requests go to her colleague; back available she
        is chosen again (her colleague away); a customer's key is refused, a wrong body is 422."""
        path = "/support/me/availability"
        response = self.api("PUT", path, key=self.keys[self.alice], json={"away": True})
        self.assertEqual(response.json(), {"away": True}, response.text)
        self.assertTrue(self.alice.support_away)
        self.assertEqual(self.api("GET", path, key=self.keys[self.alice]).json(), {"away": True})
        for __ in range(2):
            self.assertEqual(self._ticket_by_ref(self._open().json()["reference"]).user_id, self.bob)
        self.assertEqual(self.api("PUT", path, key=self.keys[self.alice], json={"away": False}).json(), {"away": False})
        self.api("PUT", path, key=self.keys[self.bob], json={"away": True})
        self.assertEqual(self._ticket_by_ref(self._open().json()["reference"]).user_id, self.alice)
        self.assertProblem(self.api("PUT", path, key=self.carla_key, json={"away": True}), 403)
        self.assertProblem(self.api("PUT", path, key=self.keys[self.alice], json={"away": "maybe"}), 422)
        self.assertProblem(self.api("PUT", path, key=self.keys[self.alice], json={"away": True, "user": 1}), 422)
        self.assertFalse(self.alice.support_away)
        self.assertTrue(self.bob.support_away)
        self.assertFalse(self.customer_user.support_away)

    def test_other_franchise_and_colleague_cannot_act(self):
        """Zurich's keys do not see London's ticket; the colleague who is not assigned cannot accept it."""
        reference = self._open().json()["reference"]
        ticket = self._ticket_by_ref(reference)
        colleague = (self.alice | self.bob) - ticket.user_id
        for user in (self.zoe, self.zurich_mgr):
            self.assertProblem(self.api("GET", f"/support/tickets/{reference}", key=self.keys[user]), 404)
            self.assertProblem(self.api("POST", f"/support/tickets/{reference}/accept", key=self.keys[user]), 404)
        self.assertProblem(self.api("POST", f"/support/tickets/{reference}/accept", key=self.keys[colleague]), 404)
        self.assertEqual(ticket.stage_code, "assigned")
        # The London manager sees it in the franchise queue and may accept it.
        queue = self.api("GET", "/support/tickets?scope=franchise", key=self.keys[self.london_mgr]).json()
        self.assertIn(reference, [t["reference"] for t in queue["items"]])
        accepted = self.api("POST", f"/support/tickets/{reference}/accept", key=self.keys[self.london_mgr])
        self.assertEqual(accepted.json()["status"], "in_progress")

    def test_customer_key_on_staff_actions(self):
        """A customer's key cannot accept or close their own request."""
        reference = self._open().json()["reference"]
        self.assertProblem(self.api("POST", f"/support/tickets/{reference}/accept", key=self.carla_key), 403)
        self.assertProblem(
            self.api("POST", f"/support/tickets/{reference}/close", key=self.carla_key, json={"resolution": "x"}), 403
        )
        self.assertEqual(self._ticket_by_ref(reference).stage_code, "assigned")

    def test_customer_sees_only_own_tickets(self):
        """Another customer's key neither lists nor reads Carla's request."""
        reference = self._open().json()["reference"]
        self.assertEqual(self.api("GET", "/support/tickets", key=self.portal_key).json()["total"], 0)
        self.assertProblem(self.api("GET", f"/support/tickets/{reference}", key=self.portal_key), 404)

    def test_masking_for_franchise(self):
        """Franchise staff see the customer's contact as shared for the service; purchase data is never exposed."""
        reference = self._open().json()["reference"]
        ticket = self._ticket_by_ref(reference)
        view = self.api("GET", f"/support/tickets/{reference}", key=self.keys[ticket.user_id]).json()
        expected = ticket.with_user(ticket.user_id)._customer_view()
        self.assertEqual(view["customer"]["email"], expected["email"] or None)
        self.assertEqual(view["customer"]["phone"], expected["phone"] or None)

    def test_scorecard(self):
        """The London manager reads London's scorecard, not Zurich's; staff cannot."""
        self._open()
        path = f"/support/franchises/{self.franchise_london.id}/scorecard"
        card = self.api("GET", path, key=self.keys[self.london_mgr]).json()
        self.assertEqual((card["franchise"], card["volume"], card["open"]), ("Clearview London", 1, 1))
        zurich = f"/support/franchises/{self.franchise_zurich.id}/scorecard"
        self.assertProblem(self.api("GET", zurich, key=self.keys[self.london_mgr]), 404)
        self.assertProblem(self.api("GET", path, key=self.keys[self.alice]), 403)
        self.assertEqual(self.api("GET", path, key=self.keys[self.support_user]).json()["volume"], 1)

    def test_ticket_webhooks(self):
        """ticket.created and ticket.routed are queued for subscribers, without contact details."""
        self.env["crm.api.webhook"].create(
            {
                "name": "Dispatch",
                "url": "http://127.0.0.1:9/dispatch",
                "event_ids": [
                    (
                        6,
                        0,
                        (
                            self.env.ref("crm_api.webhook_event_ticket_created")
                            | self.env.ref("crm_api.webhook_event_ticket_routed")
                        ).ids,
                    )
                ],
            }
        )
        reference = self._open().json()["reference"]
        deliveries = self.env["crm.api.webhook.delivery"].search([])
        self.assertEqual(sorted(deliveries.mapped("event")), ["ticket.created", "ticket.routed"])
        for delivery in deliveries:
            data = json.loads(delivery.payload)["data"]
            self.assertEqual(data["reference"], reference)
            self.assertNotIn("carla@example.com", delivery.payload)

    def test_escalation_webhook(self):
        """The escalation hook queues ticket.escalated with the level's name."""
        self.env["crm.api.webhook"].create(
            {
                "name": "Ops",
                "url": "http://127.0.0.1:9/ops",
                "event_ids": [(6, 0, self.env.ref("crm_api.webhook_event_ticket_escalated").ids)],
            }
        )
        ticket = self._ticket_by_ref(self._open().json()["reference"])
        level = self.env["crm.support.escalation.level"].new({"name": "Franchise manager"})
        ticket._on_escalated(level)
        delivery = self.env["crm.api.webhook.delivery"].search([("event", "=", "ticket.escalated")])
        data = json.loads(delivery.payload)["data"]
        self.assertEqual((data["reference"], data["level"]), (ticket.name, "Franchise manager"))
