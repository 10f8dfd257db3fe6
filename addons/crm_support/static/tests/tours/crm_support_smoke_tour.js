/** @odoo-module **/
// Copyright 2026 CRM Suite developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_support_smoke", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Service Requests app",
            trigger: ".o_app[data-menu-xmlid='crm_support.menu_crm_support_root']",
            run: "click",
        },
        {
            content: "The requests kanban shows the new request",
            trigger: ".o_kanban_view .o_kanban_record:contains('Smoke windscreen')",
        },
    ],
});
