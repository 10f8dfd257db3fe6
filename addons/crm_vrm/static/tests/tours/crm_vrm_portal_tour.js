/** @odoo-module */
// Copyright 2026 CRM Suite developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {registry} from "@web/core/registry";

const companySwitch = ".o_vrm_card[data-key^='r:']:first input[data-purpose='marketing'][data-category='contact']";

registry.category("web_tour.tours").add("crm_vrm_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open My data sharing from the portal home",
            trigger: "a[href='/my/data-sharing']",
            run: "click",
        },
        {
            content: "Contact details for service are always on",
            trigger: ".o_vrm_card:first input[data-purpose='service'][data-category='contact']:checked:disabled",
        },
        {
            content: "Nothing is shared for marketing yet",
            trigger: ".o_vrm_card:first .o_vrm_sees_text:not(:contains('marketing'))",
        },
        {
            content: "Allow the company to use my contact details for marketing",
            trigger: `${companySwitch}:not(:checked)`,
            run: "click",
        },
        {
            content: "The change is saved at once with a receipt",
            trigger: ".o_vrm_saved a:contains('Download the receipt')",
        },
        {
            content: "The card now says what the company may use",
            trigger: ".o_vrm_card:first .o_vrm_sees_text:contains('contact details for marketing')",
        },
        {
            content: "Switch it off again",
            trigger: `${companySwitch}:checked:not(:disabled)`,
            run: "click",
        },
        {
            content: "The card no longer lists marketing",
            trigger: ".o_vrm_card:first .o_vrm_sees_text:not(:contains('marketing'))",
        },
    ],
});
