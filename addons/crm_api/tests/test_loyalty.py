# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import json

from odoo.tests import new_test_user, tagged

from odoo.addons.crm_loyalty.tests.common import create_ba_programme

from .common import ApiCase


@tagged("post_install", "-at_install")
class TestLoyaltyApi(ApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = create_ba_programme(cls.env)
        cls.currency = cls.program.currency_id.name
        cls.till = new_test_user(
            cls.env, login="api_till", name="Till 42", groups="base.group_user,crm_loyalty.group_loyalty_user"
        )
        cls.till_key = cls._make_key(cls.till)
        cls.card = cls.env["loyalty.card"].create(
            {"program_id": cls.program.id, "partner_id": cls.portal_user.partner_id.id}
        )
        cls.other = new_test_user(cls.env, login="api_other_member", groups="base.group_portal")
        cls.other_key = cls._make_key(cls.other)
        cls.other_card = cls.env["loyalty.card"].create(
            {"program_id": cls.program.id, "partner_id": cls.other.partner_id.id}
        )

    def _purchase(self, ref, amount=100.0, key=None, idem=None, **extra):
        payload = {
            "member": self.card.member_number,
            "amount": amount,
            "currency": self.currency,
            "channel": "store",
            "external_ref": ref,
            "source": "till-42",
            **extra,
        }
        return self.api("POST", "/loyalty/postings", key=key or self.till_key, json=payload, idem=idem)

    def test_post_purchase_and_refund(self):
        """A till posts a purchase (points awarded) and its refund (points reversed)."""
        response = self._purchase("R-1", 120.0)
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        self.assertEqual(result["member_number"], self.card.member_number)
        self.assertEqual((result["qualifying_points"], result["spendable_points"], result["balance"]), (120, 120, 120))
        self.assertEqual(result["tier"], "Blue")
        self.assertFalse(result["replayed"])
        refund = self._purchase("RF-1", 120.0, kind="refund", original_ref="R-1", channel=None).json()
        self.assertEqual(refund["balance"], 0)
        self.card.invalidate_recordset()
        self.assertEqual(self.card.points, 0)

    def test_posting_is_idempotent_twice_over(self):
        """Same Idempotency-Key: stored response; new key but same till reference: the addon's replay."""
        first = self._purchase("R-2", 50.0, idem="till-42-R-2").json()
        again = self._purchase("R-2", 50.0, idem="till-42-R-2")
        self.assertEqual(again.headers["Idempotency-Replayed"], "true")
        self.assertEqual(again.json(), first)
        other_key = self._purchase("R-2", 50.0).json()
        self.assertTrue(other_key["replayed"])
        self.assertEqual(other_key["posting_id"], first["posting_id"])
        self.card.invalidate_recordset()
        self.assertEqual(self.card.points, 50)

    def test_posting_refusals_are_problems(self):
        """Business refusals keep the addon's message; nothing is posted."""
        self.assertProblem(self._purchase("R-3", 10.0, channel="moon"), 422, "Unknown channel")
        self.assertProblem(self._purchase("R-4", 10.0, currency="XXX"), 422, "earns points in")
        self.assertProblem(self._purchase("R-5", 10.0, member="NOPE-1"), 422, "No loyalty member")
        self.assertProblem(self._purchase("R-6", -5.0), 422)
        self.assertFalse(self.env["crm.loyalty.posting"].search([("source", "=", "till-42")]))

    def test_customer_cannot_post(self):
        """A customer's key cannot post purchases to their own card."""
        self.assertProblem(self._purchase("R-7", 10.0, key=self.portal_key), 403)
        self.card.invalidate_recordset()
        self.assertEqual(self.card.points, 0)

    def test_member_lookup_and_statement(self):
        """Staff look a member up by member number or card code; the statement pages the ledger."""
        for i in range(3):
            self._purchase(f"S-{i}", 10.0 * (i + 1))
        summary = self.api("GET", f"/loyalty/members/{self.card.member_number}", key=self.till_key).json()
        self.assertEqual((summary["balance"], summary["tier"], summary["next_tier"]), (60, "Blue", "Bronze"))
        self.assertEqual(summary["tier_points"], 60)
        self.assertEqual((summary["points_to_keep"], summary["tier_if_not_kept"]), (None, None), "Blue is never lost")
        by_code = self.api("GET", f"/loyalty/members/{self.card.code}", key=self.till_key).json()
        self.assertEqual(by_code["card_id"], self.card.id)
        page = self.api(
            "GET", f"/loyalty/members/{self.card.member_number}/statement?limit=2", key=self.till_key
        ).json()
        self.assertEqual(page["total"], 3)
        self.assertEqual([row["issued"] for row in page["items"]], [30, 20])
        self.assertProblem(self.api("GET", "/loyalty/members/NOPE", key=self.till_key), 404)

    def test_statement_rows_carry_reference_and_source(self):
        """Each posted row says its receipt and posting system as fields; the till filters the statement by
        either, the member filters her own; rows without a posting (a redemption) have neither."""
        self._purchase("F-1", 10.0)
        self._purchase("F-2", 20.0)
        self._purchase("F-3", 30.0, source="web-shop")
        self._purchase("F-1-R", 10.0, kind="refund", original_ref="F-1", channel=None)
        path = f"/loyalty/members/{self.card.member_number}"
        self.api("POST", f"{path}/redemptions", key=self.till_key, json={"points": 5, "description": "Coffee"})
        rows = self.api("GET", f"{path}/statement", key=self.till_key).json()["items"]
        self.assertEqual(
            [(r["kind"], r["external_ref"], r["source"]) for r in rows],
            [
                ("redeem", None, None),
                ("refund", "F-1-R", "till-42"),
                ("award", "F-3", "web-shop"),
                ("award", "F-2", "till-42"),
                ("award", "F-1", "till-42"),
            ],
        )
        page = self.api("GET", f"{path}/statement?external_ref=F-2", key=self.till_key).json()
        self.assertEqual((page["total"], [r["issued"] for r in page["items"]]), (1, [20]))
        page = self.api("GET", f"{path}/statement?source=till-42&limit=1", key=self.till_key).json()
        self.assertEqual((page["total"], [r["external_ref"] for r in page["items"]]), (3, ["F-1-R"]))
        page = self.api("GET", f"{path}/statement?source=web-shop&external_ref=F-1", key=self.till_key).json()
        self.assertEqual(page["total"], 0)
        mine = self.api("GET", f"/loyalty/me/{self.card.id}/statement?source=web-shop", key=self.portal_key).json()
        self.assertEqual([r["external_ref"] for r in mine["items"]], ["F-3"])
        schema = self.api("GET", "/openapi.json").json()
        operation = schema["paths"]["/loyalty/members/{member}/statement"]["get"]
        params = {p["name"] for p in operation["parameters"]}
        self.assertTrue({"external_ref", "source", "limit"} <= params, params)

    def test_enrol_a_customer(self):
        """A till enrols a customer and gets the member number, which then posts and looks up; enrolling her
        again is refused with her number; a customer's key and an internal user without loyalty rights cannot
        enrol; an unknown programme is refused; nothing is created by a refusal."""
        customer = self.env["res.partner"].create({"name": "New Member", "email": "new.member@example.com"})
        body = {"program_id": self.program.id, "customer_id": customer.id}
        Card = self.env["loyalty.card"]
        for key in (self.portal_key, self.internal_key):
            self.assertProblem(self.api("POST", "/loyalty/members", key=key, json=body), 403)
        self.assertFalse(Card.search([("partner_id", "=", customer.id)]))
        response = self.api("POST", "/loyalty/members", key=self.till_key, json=body)
        self.assertEqual(response.status_code, 200, response.text)
        member = response.json()
        card = Card.search([("partner_id", "=", customer.id)])
        self.assertEqual((member["card_id"], member["member_number"]), (card.id, card.member_number))
        self.assertTrue(member["member_number"])
        self.assertEqual((member["tier"], member["balance"]), ("Blue", 0))
        self.assertEqual(self._purchase("E-1", 25.0, member=member["member_number"]).json()["balance"], 25)
        again = self.api("POST", "/loyalty/members", key=self.till_key, json=body)
        self.assertProblem(again, 422, member["member_number"])
        self.assertProblem(
            self.api("POST", "/loyalty/members", key=self.till_key, json={**body, "program_id": 2**31 - 1}),
            422,
            "No loyalty programme",
        )
        self.assertEqual(len(Card.search([("partner_id", "=", customer.id)])), 1)

    def test_customer_sees_only_own_membership(self):
        """A customer key reads its own memberships and statement, not anyone else's."""
        self._purchase("C-1", 40.0)
        mine = self.api("GET", "/loyalty/me", key=self.portal_key).json()
        self.assertEqual([(m["card_id"], m["balance"]) for m in mine], [(self.card.id, 40)])
        statement = self.api("GET", f"/loyalty/me/{self.card.id}/statement", key=self.portal_key).json()
        self.assertEqual(statement["total"], 1)
        self.assertProblem(self.api("GET", f"/loyalty/me/{self.card.id}/statement", key=self.other_key), 404)
        self.assertProblem(
            self.api("GET", f"/loyalty/members/{self.other_card.member_number}", key=self.portal_key), 403
        )

    def test_redeem(self):
        """A till redeems points; more than the balance is refused; a customer key cannot redeem."""
        self._purchase("P-1", 100.0)
        path = f"/loyalty/members/{self.card.member_number}/redemptions"
        result = self.api("POST", path, key=self.till_key, json={"points": 30, "description": "Coffee"}).json()
        self.assertEqual(result["balance"], 70)
        self.assertProblem(
            self.api("POST", path, key=self.till_key, json={"points": 500, "description": "TV"}), 422, "Not enough"
        )
        self.assertProblem(self.api("POST", path, key=self.portal_key, json={"points": 10, "description": "Me"}), 403)
        self.card.invalidate_recordset()
        self.assertEqual(self.card.points, 70)

    def test_vouchers(self):
        """Vouchers issued from the membership are listed for staff and for the member."""
        voucher = self.env["loyalty.card"].create(
            {
                "program_id": self.program.crm_voucher_program_id.id,
                "partner_id": self.portal_user.partner_id.id,
                "points": 1.5,
                "crm_source_card_id": self.card.id,
            }
        )
        staff = self.api("GET", f"/loyalty/members/{self.card.member_number}/vouchers", key=self.till_key).json()
        self.assertEqual([(v["code"], v["value"]) for v in staff], [(voucher.code, 1.5)])
        mine = self.api("GET", f"/loyalty/me/{self.card.id}/vouchers", key=self.portal_key).json()
        self.assertEqual([v["id"] for v in mine], [voucher.id])

    def test_till_key_limited_to_its_programme(self):
        """A till key whose user may post only to another programme finds none of this programme's members:
        no look-up, statement, vouchers, posting or redemption; a purchase dated in the future is refused."""
        self.assertProblem(
            self._purchase("D-1", 10.0, date=(datetime.date.today() + datetime.timedelta(days=30)).isoformat()),
            422,
            "in the future",
        )
        self._purchase("L-1", 300.0)
        self.program._crm_run_vouchers()
        other = create_ba_programme(self.env, name="Fuel Club")
        self.till.crm_loyalty_program_ids = other
        number = self.card.member_number
        for path in (f"/loyalty/members/{number}", f"/loyalty/members/{number}/statement"):
            self.assertProblem(self.api("GET", path, key=self.till_key), 404)
        self.assertProblem(self.api("GET", f"/loyalty/members/{number}/vouchers", key=self.till_key), 404)
        self.assertProblem(self._purchase("L-2", 10.0), 422, "No loyalty member")
        self.assertProblem(
            self.api(
                "POST",
                f"/loyalty/members/{number}/redemptions",
                key=self.till_key,
                json={"points": 1, "description": "x"},
            ),
            404,
        )
        self.card.invalidate_recordset()
        self.assertEqual(self.card.points, 0, "300 points, all turned into vouchers; nothing posted or spent since")

    def test_tier_change_emits_webhook(self):
        """Reaching Bronze queues a tier.changed delivery for each subscriber, carrying only what
        the member shares with the subscription's recipient: the company's CRM, which she lets
        use her loyalty history, gets the tiers; a franchise's receiver gets none of them."""
        event = self.env.ref("crm_api.webhook_event_tier_changed")
        franchise = self.env["vrm.recipient"].create({"name": "Franchise Leeds", "recipient_type": "franchise"})
        Webhook = self.env["crm.api.webhook"]
        crm = Webhook.create({"name": "CRM", "url": "http://127.0.0.1:9/crm", "event_ids": [(6, 0, event.ids)]})
        other = Webhook.create(
            {
                "name": "Leeds",
                "url": "http://127.0.0.1:9/leeds",
                "event_ids": [(6, 0, event.ids)],
                "recipient_id": franchise.id,
            }
        )
        self.assertEqual(crm.recipient_id, self.env.ref("crm_vrm.recipient_company"))
        self.card.partner_id._vrm_set_preference(crm.recipient_id, "service", "purchase", True)
        self._purchase("BIG-1", 4000.0)
        Delivery = self.env["crm.api.webhook.delivery"]
        delivery = Delivery.search([("event", "=", "tier.changed"), ("webhook_id", "=", crm.id)])
        self.assertEqual(len(delivery), 1)
        data = json.loads(delivery.payload)["data"]
        self.assertEqual((data["from_tier"], data["to_tier"], data["card_id"]), ("Blue", "Bronze", self.card.id))
        data = json.loads(Delivery.search([("webhook_id", "=", other.id)]).payload)["data"]
        self.assertEqual((data["from_tier"], data["to_tier"], data["program"]), (None, None, None))
        self.assertEqual(data["card_id"], self.card.id)  # contact details are needed to serve her
