# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase


class AppMenusCase(HttpCase):
    """Opens an app's menus in the web client with Odoo's clickbot; shared by the suite's addons."""

    allow_end_on_form = True

    def assert_app_opens(self, menu_xmlid, login):
        """As login, every menu of the app of menu_xmlid opens, in each of its views and with each filter,
        without an error in the browser (demo data loaded)."""
        self.browser_js(
            "/odoo",
            f"odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader').startClickEverywhere('{menu_xmlid}');",
            "odoo.isReady === true",
            login=login,
            timeout=600,
            success_signal="clickbot test succeeded",
        )
