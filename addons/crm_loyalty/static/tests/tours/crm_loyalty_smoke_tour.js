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
        {
            content: "Open the members",
            trigger: ".o_main_navbar a[data-menu-xmlid='crm_loyalty.menu_crm_loyalty_members']",
            run: "click",
        },
        {
            content: "The member is listed with their tier",
            trigger: ".o_list_view .o_data_row:contains('Smoke Member'):contains('Smoke Blue')",
        },
        {
            content: "Switch to the pivot of members per tier",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the tier column",
            trigger: ".o_pivot th:contains('Smoke Blue')",
        },
    ],
});
