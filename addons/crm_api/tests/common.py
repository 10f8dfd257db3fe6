# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo.tests import HttpCase, new_test_user

API = "/api/v1"


class ApiCase(HttpCase):
    """Real HTTP calls to /api/v1 of the test server, one API key per role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True, tracking_disable=True))
        cls.endpoint = cls.env.ref("crm_api.fastapi_endpoint_crm_api_v1")
        cls.endpoint._handle_registry_sync()
        # The tests' receivers listen on loopback, which webhooks refuse unless allowed.
        cls.env["ir.config_parameter"].sudo().set_param("crm_api.webhook_allowed_hosts", "127.0.0.1")
        cls.api_manager = new_test_user(
            cls.env, login="api_manager", name="Ana Manager", groups="base.group_user,crm_api.group_crm_api_manager"
        )
        cls.internal_user = new_test_user(cls.env, login="api_internal", name="Ivan Internal", groups="base.group_user")
        cls.portal_user = new_test_user(
            cls.env, login="api_customer", name="Carla Customer", groups="base.group_portal"
        )
        cls.manager_key = cls._make_key(cls.api_manager)
        cls.internal_key = cls._make_key(cls.internal_user)
        cls.portal_key = cls._make_key(cls.portal_user)

    @classmethod
    def _make_key(cls, user, scope="rpc"):
        """Generate an API key for ``user`` as they would in their preferences."""
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate(scope, f"test key {user.login}", None)

    def api(self, method, path, *, key=None, json=None, headers=None, idem=None):
        """Call the API; POSTs get a fresh Idempotency-Key unless ``idem`` is given."""
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        if method.upper() == "POST" and "Idempotency-Key" not in headers:
            headers["Idempotency-Key"] = idem or str(uuid.uuid4())
        return self.opener.request(method, self.base_url() + API + path, json=json, headers=headers, timeout=60)

    def assertProblem(self, response, status, detail_part=None):
        """The response is a problem+json document of ``status`` without a stack trace."""
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"].split(";")[0], "application/problem+json")
        body = response.json()
        self.assertEqual(body["status"], status)
        self.assertTrue(body["title"])
        self.assertNotIn("Traceback", response.text)
        if detail_part:
            self.assertIn(detail_part, body["detail"])
        return body
