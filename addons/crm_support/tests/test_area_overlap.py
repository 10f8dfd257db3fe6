# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessError
from odoo.tests import BaseCase, tagged

from ..models.crm_franchise_area import parse_zip_patterns, zip_specificity
from .common import SupportCase


class TestZipSpecificity(BaseCase):
    """Database-free: how precisely a postcode list covers a postcode."""

    def key(self, text, code, states=False):
        return zip_specificity(parse_zip_patterns(text), code, states)

    def test_order(self):
        """Exact over range over prefix, longer prefix over shorter, narrower range over wider."""
        self.assertGreater(self.key("SW1A1AA", "SW1A1AA"), self.key("SW1A0AA-SW1A9ZZ", "SW1A1AA"))
        self.assertGreater(self.key("8001-8099", "8050"), self.key("80*", "8050"))
        self.assertGreater(self.key("SW1A*", "SW1A1AA"), self.key("SW*", "SW1A1AA"))
        self.assertGreater(self.key("8040-8060", "8050"), self.key("8001-8099", "8050"))
        self.assertGreater(self.key("SW*", "SW1A1AA"), self.key("", "SW1A1AA", states=True))
        self.assertGreater(self.key("", "SW1A1AA", states=True), self.key("", "SW1A1AA"))
        self.assertIsNone(self.key("N1*, 8001-8099", "SW1A1AA"))
        # the best pattern of a list counts
        self.assertEqual(self.key("S*, SW1A1AA", "SW1A1AA"), (3, 7))


@tagged("post_install", "-at_install")
class TestOverlappingAreas(SupportCase):
    """Overlapping areas set up by a support manager: the most specific wins, then the rule's tie-break."""

    def _franchise(self, name, zips, **vals):
        return (
            self.env["crm.franchise"]
            .with_user(self.support_manager)
            .create(
                {
                    "name": name,
                    "partner_id": self.env["res.partner"].create({"name": f"{name} Ltd", "is_company": True}).id,
                    "calendar_id": self.calendar_24.id,
                    "area_ids": [(0, 0, {"country_id": self.uk.id, "zip_patterns": zips})],
                    **vals,
                }
            )
        )

    def _staff(self, franchise, login):
        return self.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "franchise_id": franchise.id,
                "groups_id": [(6, 0, [self.env.ref("crm_support.group_franchise_staff").id])],
            }
        )

    def test_most_specific_wins(self):
        """London covers SW1*; a franchise sorting after it by name wins the postcodes it covers more
        precisely (longer prefix, range, exact postcode); London keeps the rest."""
        westminster = self._franchise("Westminster Glass", "SW1A*")
        self._staff(westminster, "wes_staff")
        palace = self._franchise("Zed Palace Glass", "SW1A 1AA")
        self._staff(palace, "zed_staff")
        ranged = self._franchise("Yonder Glass", "SW1B0AA-SW1B9ZZ")
        self._staff(ranged, "yon_staff")
        wide = self._franchise("Victoria Glass", "SW*, SW1B*")
        self._staff(wide, "vic_staff")
        cases = {
            "SW1A 1AA": palace,  # exact over the prefixes SW1A*, SW1*, SW*
            "SW1A 2BB": westminster,  # SW1A* over SW1* and SW*
            "SW1B 1CC": ranged,  # a range over the prefixes SW1B*, SW1*
            "SW1C 1DD": self.franchise_london,  # SW1* over SW*
            "SW9 9ZZ": wide,
        }
        for zip_code, franchise in cases.items():
            ticket = self._ticket(zip=zip_code)
            self.assertEqual(ticket.franchise_id, franchise, zip_code)
            self.assertIn(franchise.name, ticket.routing_reason)

    def test_tie_break_priority_then_load(self):
        """Two franchises with the same area: the higher Area Priority wins; a rule that balances by
        load sends the request to the one with fewer open requests."""
        twin = self._franchise("Another London", "SW1*")
        self._staff(twin, "twin_staff")
        # by name, "Another London" would win: the priority decides
        self.franchise_london.with_user(self.support_manager).area_priority = 5
        self.assertEqual(self._ticket().franchise_id, self.franchise_london)
        self.assertEqual(self._ticket().franchise_id, self.franchise_london)
        # balancing: London now holds two open requests, the twin none
        self.rule_area.with_user(self.support_manager).area_tie_break = "load"
        self.assertEqual(self._ticket().franchise_id, twin)
        self.assertEqual(self._ticket().franchise_id, twin)
        # one each more: equal load again, the priority breaks the tie
        self.assertEqual(self._ticket().franchise_id, self.franchise_london)

    def test_franchise_staff_cannot_change_priority(self):
        """A franchise manager cannot raise his own franchise's area priority."""
        with self.assertRaises(AccessError):
            self.franchise_london.with_user(self.london_mgr).area_priority = 99
