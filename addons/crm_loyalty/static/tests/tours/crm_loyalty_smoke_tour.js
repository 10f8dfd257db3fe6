/** @odoo-module **/
// Copyright 2026 CRM Suite developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_loyalty_smoke", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Loyalty Tiers app",
            trigger: ".o_app[data-menu-xmlid='crm_loyalty.menu_crm_loyalty_root']",
            run: "click",
        },
        {
            content: "The programmes list is the app's main view",
            trigger: ".o_list_view .o_data_row:contains('Smoke Club')",
        },
    ],
});
