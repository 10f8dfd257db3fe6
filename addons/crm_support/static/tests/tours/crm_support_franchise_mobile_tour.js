/** @odoo-module **/
// Copyright 2026 CRM Suite developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_support_franchise_mobile", {
    url: "/my/franchise/queue",
    steps: () => [
        {
            content: "Open the job from my queue",
            trigger: ".o_crm_support_queue_item:contains('Tour windscreen')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Accept the job",
            trigger: ".o_crm_support_accept",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Write to the customer",
            trigger: ".o_crm_support_message",
            run: "edit On my way, there in 20 minutes",
        },
        {
            content: "Send the message",
            trigger: ".o_crm_support_send",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The message is in the history",
            trigger: ".o_crm_support_history:contains('On my way')",
        },
        {
            content: "Choose Waiting customer",
            trigger: ".o_crm_support_stage_select",
            run: "select waiting",
        },
        {
            content: "Set the stage",
            trigger: ".o_crm_support_set_stage",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The stage shows Waiting customer",
            trigger: ".o_crm_support_stage:contains('Waiting customer')",
        },
        {
            content: "Write the resolution",
            trigger: ".o_crm_support_resolution",
            run: "edit Windscreen replaced on site",
        },
        {
            content: "Close the job",
            trigger: ".o_crm_support_close",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The job is done",
            trigger: ".o_crm_support_stage:contains('Done')",
        },
    ],
});
