# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import html
import re

from odoo.tests import HttpCase, new_test_user


def form_token(html):
    """The CSRF token of the first form in a page, as a browser would post it back."""
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


class AppMenusCase(HttpCase):
    """Opens an app's menus in the web client with Odoo's clickbot; shared by the suite's addons."""

    allow_end_on_form = True

    def assert_app_opens(self, menu_xmlid, group):
        """An internal user with group (and no other rights) opens every menu of the app of menu_xmlid, in
        each of its views and with each filter, without an error in the browser (demo data loaded)."""
        login = group.replace(".", "_")
        new_test_user(self.env, login, groups=f"base.group_user,{group}")
        self.browser_js(
            "/odoo",
            f"odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader').startClickEverywhere('{menu_xmlid}');",
            "odoo.isReady === true",
            login=login,
            timeout=600,
            success_signal="clickbot test succeeded",
        )


class PortalWalkCase(HttpCase):
    """Walks a portal user's pages by their links, as a visitor clicking through; shared by the suite's addons."""

    def assert_portal_pages_open(self, login, password, prefixes, start="/my", limit=60):
        """As login, every page reachable from start through links under prefixes (at most limit pages)
        answers 200; returns the paths visited."""
        self.authenticate(login, password)
        seen, todo, failed = set(), [start], []
        while todo and len(seen) < limit:
            path = todo.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = self.url_open(path)
            if response.status_code != 200:
                failed.append((path, response.status_code))
                continue
            links = (
                html.unescape(link).removeprefix(self.base_url())
                for link in re.findall(r'href="([^"#]+)', response.text)
            )
            todo += [link for link in links if link.startswith(prefixes) and link not in seen]
        self.assertEqual(failed, [], f"pages of {login} that did not open")
        return seen
