/** @odoo-module */
// Copyright 2026 CRM Suite developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_vrm_backend_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Data Sharing app",
            trigger: ".o_app[data-menu-xmlid='crm_vrm.menu_crm_vrm_root']",
            run: "click",
        },
        {
            content: "The customers' choices list shows the recorded choice",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer')",
        },
        {
            content: "Open the consent history",
            trigger: ".o_main_navbar a[data-menu-xmlid='crm_vrm.menu_vrm_history']",
            run: "click",
        },
        {
            content: "The change is in the history",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer')",
        },
    ],
});
