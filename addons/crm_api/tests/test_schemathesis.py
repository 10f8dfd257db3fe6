# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schema-driven testing: schemathesis generates requests from the served OpenAPI document and
checks every response (no 5xx, documented status and content type, body matching the schema)."""

import ipaddress
import os
import socket
from unittest.mock import patch

from hypothesis import HealthCheck, Phase, given, settings

from odoo.tests import tagged

from ..tools import webhook_client
from .common import API, ApiCase


def _literal_only(host, port):
    """Resolve IP literals only: fuzzed webhook hosts must not become DNS queries."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        raise socket.gaierror(socket.EAI_NONAME, "not resolved in tests") from None


# Cases per operation; `make test` keeps it bounded, CRM_API_FUZZ_EXAMPLES=100 for a longer run.
EXAMPLES = int(os.environ.get("CRM_API_FUZZ_EXAMPLES", "20"))


@tagged("post_install", "-at_install")
class TestSchemathesis(ApiCase):
    @patch.object(webhook_client, "resolve", _literal_only)
    def test_openapi_fuzz(self):
        """Every operation, as an internal user with the API, loyalty, support and privacy groups:
        zero server errors, documented status codes and content types, bodies matching the schema."""
        import schemathesis
        from schemathesis import experimental
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            response_schema_conformance,
            status_code_conformance,
        )

        experimental.OPEN_API_3_1.enable()
        doc = self.opener.get(self.base_url() + API + "/openapi.json", timeout=60).json()
        schema = schemathesis.from_dict(doc, base_url=self.base_url() + API)
        checks = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
        fuzzer = self.env["res.users"].create(
            {
                "name": "Fuzz Integration",
                "login": "api_fuzz",
                "groups_id": [
                    (4, self.env.ref(xmlid).id)
                    for xmlid in (
                        "crm_api.group_crm_api_manager",
                        "crm_loyalty.group_loyalty_user",
                        "crm_support.group_support_user",
                        "crm_vrm.group_vrm_user",
                    )
                ],
            }
        )
        headers = {"Authorization": f"Bearer {self._make_key(fuzzer)}"}
        operations = [result.ok() for result in schema.get_all_operations()]
        self.assertGreater(len(operations), 15)
        calls = {"n": 0}
        for operation in operations:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def fuzz(case):
                response = case.call(headers=headers, timeout=60)
                calls["n"] += 1
                case.validate_response(response, checks=checks)

            with self.subTest(operation=operation.verbose_name):
                fuzz()
        self.assertGreater(calls["n"], len(operations))
