/** @odoo-module **/
// Copyright 2026 CRM Suite developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_loyalty_portal", {
    url: "/my",
    steps: () => [
        {
            content: "Open My loyalty from the portal home",
            trigger: "a[href='/my/loyalty']",
            run: "click",
        },
        {
            content: "The tier badge shows Silver",
            trigger: ".o_crm_loyalty_badge:contains('Silver')",
        },
        {
            content: "The progress line counts the tier points to Gold",
            trigger: ".o_crm_loyalty_progress:contains('tier points to Gold')",
        },
        {
            content: "The spendable balance is shown",
            trigger: ".o_crm_loyalty_balance",
        },
        {
            content: "A voucher with its code is listed",
            trigger: ".o_crm_loyalty_vouchers code",
        },
        {
            content: "The statement lists the latest purchase",
            trigger: ".o_crm_loyalty_statement td:contains('Store purchase AL-11')",
        },
        {
            content: "Go to the second page of the statement",
            trigger: ".o_portal_pager a.page-link:contains('2')",
            run: "click",
        },
        {
            content: "Older purchases are on page two",
            trigger: ".o_crm_loyalty_statement td:contains('Store purchase AL-0')",
        },
    ],
});
