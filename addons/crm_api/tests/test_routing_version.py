# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from odoo.addons.crm_support.tests.common import sql_statements


@tagged("post_install", "-at_install")
class TestRoutingVersion(HttpCase):
    def _version_reads(self, url, **kwargs):
        """Status of the answer to url and how many times serving it read the endpoint route version."""
        with sql_statements() as statements:
            response = self.url_open(url, **kwargs)
        return response.status_code, sum("endpoint_route_version" in s for s in statements)

    def test_version_read_once_per_request(self):
        """A website page (its URL matched twice, with and without the language) reads the version of
        the endpoint routes once; the next request reads it afresh, and so does an API call."""
        self.assertEqual(self._version_reads("/support/request"), (200, 1))
        self.assertEqual(self._version_reads("/support/request"), (200, 1))
        status, reads = self._version_reads("/api/v1/openapi.json")
        self.assertEqual((status, reads), (200, 1))
