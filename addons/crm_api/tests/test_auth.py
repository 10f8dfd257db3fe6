# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import ApiCase


@tagged("post_install", "-at_install")
class TestAuth(ApiCase):
    def test_no_key(self):
        """Without an Authorization header the API answers 401 with a Bearer challenge."""
        response = self.api("GET", "/me")
        self.assertProblem(response, 401, "Authorization: Bearer")
        self.assertIn("Bearer", response.headers["WWW-Authenticate"])

    def test_wrong_key(self):
        """A made-up key, or a key sent with the Basic scheme, is refused."""
        self.assertProblem(self.api("GET", "/me", key="0" * 40), 401, "unknown, revoked or expired")
        response = self.api("GET", "/me", headers={"Authorization": f"Basic {self.portal_key}"})
        self.assertProblem(response, 401)

    def test_revoked_key(self):
        """A key removed by its owner stops working at once."""
        key = self._make_key(self.internal_user)
        self.assertEqual(self.api("GET", "/me", key=key).status_code, 200)
        keys = self.env["res.users.apikeys"].sudo().search([("user_id", "=", self.internal_user.id)])
        keys.with_user(self.internal_user)._remove()
        self.assertProblem(self.api("GET", "/me", key=key), 401, "revoked")

    def test_key_of_archived_user(self):
        """The key of a user who was archived is refused."""
        self.portal_user.active = False
        self.assertProblem(self.api("GET", "/me", key=self.portal_key), 401)

    def test_key_scoped_elsewhere(self):
        """A key made for another scope (e.g. a different integration) does not open the API."""
        key = self._make_key(self.internal_user, scope="some_other_app")
        self.assertProblem(self.api("GET", "/me", key=key), 401)

    def test_call_runs_as_key_owner(self):
        """Every call runs as the key's user: the portal customer is seen as a portal user."""
        me = self.api("GET", "/me", key=self.portal_key).json()
        self.assertEqual(me["user_id"], self.portal_user.id)
        self.assertEqual(me["partner_id"], self.portal_user.partner_id.id)
        self.assertTrue(me["is_portal"])
        self.assertFalse(me["is_internal"])
        me = self.api("GET", "/me", key=self.internal_key).json()
        self.assertEqual(me["login"], "api_internal")
        self.assertTrue(me["is_internal"])

    def test_rights_of_key_owner(self):
        """A key of a user without the API Manager group cannot read webhook subscriptions."""
        self.assertProblem(self.api("GET", "/webhooks/subscriptions", key=self.internal_key), 403)
        self.assertProblem(self.api("GET", "/webhooks/subscriptions", key=self.portal_key), 403)
        self.assertEqual(self.api("GET", "/webhooks/subscriptions", key=self.manager_key).status_code, 200)
