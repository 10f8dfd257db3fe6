# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import API, ApiCase


@tagged("post_install", "-at_install")
class TestFramework(ApiCase):
    def _subscription(self, name="Till sync", events=("ticket.created",), **kw):
        payload = {"name": name, "url": "http://127.0.0.1:9/hook", "events": list(events)}
        return self.api("POST", "/webhooks/subscriptions", key=self.manager_key, json=payload, **kw)

    def test_openapi_document_and_docs_page(self):
        """The OpenAPI 3 document lists the operations, the Bearer scheme and the problem schema."""
        response = self.opener.get(self.base_url() + API + "/openapi.json", timeout=60)
        self.assertEqual(response.status_code, 200)
        doc = response.json()
        self.assertTrue(doc["openapi"].startswith("3."))
        self.assertIn("/me", doc["paths"])
        self.assertIn("/webhooks/subscriptions", doc["paths"])
        self.assertEqual(doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"], "bearer")
        post = doc["paths"]["/webhooks/subscriptions"]["post"]
        self.assertIn("Idempotency-Key", [p["name"] for p in post["parameters"]])
        self.assertIn("application/problem+json", post["responses"]["401"]["content"])
        docs = self.opener.get(self.base_url() + API + "/docs", timeout=60)
        self.assertEqual(docs.status_code, 200)
        self.assertIn("swagger", docs.text.lower())
        self.assertIn("openapi.json", docs.text)

    def test_schema_validation_error_is_a_problem(self):
        """A body that does not match the schema is answered 422 with the offending fields."""
        response = self.api(
            "POST", "/webhooks/subscriptions", key=self.manager_key, json={"name": "x", "url": "ftp://nope"}
        )
        body = self.assertProblem(response, 422)
        locs = [tuple(e["loc"]) for e in body["errors"]]
        self.assertIn(("body", "url"), locs)
        self.assertIn(("body", "events"), locs)

    def test_subscription_to_an_internal_address_is_refused(self):
        """The cloud metadata address is answered 422 in words, and nothing is subscribed."""
        payload = {"name": "Metadata", "url": "http://169.254.169.254/latest/meta-data/", "events": ["ticket.created"]}
        response = self.api("POST", "/webhooks/subscriptions", key=self.manager_key, json=payload)
        self.assertProblem(response, 422, "169.254.169.254, an internal address")
        self.assertFalse(self.env["crm.api.webhook"].search([("name", "=", "Metadata")]))

    def test_unknown_route_is_a_problem(self):
        """An unknown path under /api/v1 is a 404 problem document."""
        self.assertProblem(self.api("GET", "/no-such-thing", key=self.manager_key), 404)

    def test_pagination(self):
        """limit/offset pages the list and reports the total; out-of-range limits are refused."""
        for i in range(5):
            self.assertEqual(self._subscription(name=f"Hook {i}").status_code, 201)
        page = self.api("GET", "/webhooks/subscriptions?limit=2&offset=2", key=self.manager_key).json()
        self.assertEqual(page["total"], 5)
        self.assertEqual((page["limit"], page["offset"]), (2, 2))
        self.assertEqual([w["name"] for w in page["items"]], ["Hook 2", "Hook 3"])
        last = self.api("GET", "/webhooks/subscriptions?limit=2&offset=4", key=self.manager_key).json()
        self.assertEqual([w["name"] for w in last["items"]], ["Hook 4"])
        self.assertProblem(self.api("GET", "/webhooks/subscriptions?limit=0", key=self.manager_key), 422)
        self.assertProblem(self.api("GET", "/webhooks/subscriptions?limit=201", key=self.manager_key), 422)

    def test_idempotent_replay(self):
        """Repeating a POST with the same key returns the stored response and creates nothing new."""
        first = self._subscription(idem="key-1")
        self.assertEqual(first.status_code, 201)
        self.assertEqual(first.headers["Idempotency-Replayed"], "false")
        self.assertTrue(first.json()["secret"])
        again = self._subscription(idem="key-1")
        self.assertEqual(again.status_code, 201)
        self.assertEqual(again.headers["Idempotency-Replayed"], "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(self.env["crm.api.webhook"].search_count([("name", "=", "Till sync")]), 1)

    def test_idempotency_key_reused_with_other_payload(self):
        """The same key with a different body is refused and does nothing."""
        self.assertEqual(self._subscription(idem="key-2").status_code, 201)
        self.assertProblem(self._subscription(name="Other", idem="key-2"), 422, "different request")
        self.assertFalse(self.env["crm.api.webhook"].search([("name", "=", "Other")]))

    def test_idempotency_keys_are_per_user(self):
        """Another user's identical key is a different request (no replay of someone else's answer)."""
        other = self.env["res.users"].create(
            {
                "name": "Otto Manager",
                "login": "api_manager2",
                "groups_id": [(6, 0, self.api_manager.groups_id.ids)],
            }
        )
        other_key = self._make_key(other)
        self.assertEqual(self._subscription(idem="shared").status_code, 201)
        payload = {"name": "Till sync", "url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]}
        response = self.api("POST", "/webhooks/subscriptions", key=other_key, json=payload, idem="shared")
        self.assertEqual(response.headers["Idempotency-Replayed"], "false")
        self.assertEqual(self.env["crm.api.webhook"].search_count([("name", "=", "Till sync")]), 2)

    def test_idempotency_key_required(self):
        """A POST without Idempotency-Key is refused before anything happens."""
        response = self.opener.post(
            self.base_url() + API + "/webhooks/subscriptions",
            json={"name": "No key", "url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]},
            headers={"Authorization": f"Bearer {self.manager_key}"},
            timeout=60,
        )
        body = self.assertProblem(response, 422)
        self.assertIn(["header", "Idempotency-Key"], [e["loc"] for e in body["errors"]])
        self.assertFalse(self.env["crm.api.webhook"].search([("name", "=", "No key")]))

    def test_refused_post_does_not_consume_the_key(self):
        """A refused POST stores nothing: the same key works once the request is fixed."""
        self.assertProblem(self._subscription(events=["no.such.event"], idem="key-3"), 422, "Unknown events")
        response = self._subscription(events=["ticket.created"], idem="key-3")
        self.assertEqual(response.status_code, 201)

    def test_refused_call_rolls_back_its_writes(self):
        """Writes made before a refusal are undone: deleting a subscription then failing keeps it."""
        webhook_id = self._subscription().json()["id"]
        self.assertProblem(self.api("DELETE", f"/webhooks/subscriptions/{webhook_id}", key=self.internal_key), 403)
        self.assertTrue(self.env["crm.api.webhook"].browse(webhook_id).exists())
        response = self.api("DELETE", f"/webhooks/subscriptions/{webhook_id}", key=self.manager_key)
        self.assertEqual(response.status_code, 204)
        self.assertFalse(self.env["crm.api.webhook"].browse(webhook_id).exists())
        self.assertProblem(self.api("GET", f"/webhooks/subscriptions/{webhook_id}", key=self.manager_key), 404)

    def test_nul_characters_refused(self):
        """NUL characters (which PostgreSQL cannot store) are refused with 400, wherever they are."""
        self.assertProblem(self._subscription(name="bad\x00name"), 400, "NUL")
        self.assertProblem(self._subscription(idem="key\x00"), 400, "NUL")
        self.assertProblem(self.api("GET", "/loyalty/members/a%00b", key=self.manager_key), 400, "NUL")
