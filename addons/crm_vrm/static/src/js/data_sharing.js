/** @odoo-module **/
// Copyright 2026 CRM Suite developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import publicWidget from "@web/legacy/js/public/public_widget";
import {rpc} from "@web/core/network/rpc";

publicWidget.registry.VrmDataSharing = publicWidget.Widget.extend({
    selector: ".o_vrm_data_sharing",
    events: {
        "change .o_vrm_switch": "_onSwitch",
    },

    async _onSwitch(ev) {
        const input = ev.currentTarget;
        const card = input.closest(".o_vrm_card");
        const feedback = this.el.querySelector(".o_vrm_feedback");
        input.disabled = true;
        const result = await rpc("/my/data-sharing/set", {
            key: card.dataset.key,
            purpose: input.dataset.purpose,
            category: input.dataset.category,
            allowed: input.checked,
        });
        input.disabled = false;
        if (result.error) {
            input.checked = !input.checked;
            feedback.className = "o_vrm_feedback small mb-3 text-danger";
            feedback.textContent = result.error;
            return;
        }
        card.querySelector(".o_vrm_sees_text").textContent = result.sees.join("; ") || "nothing";
        feedback.className = "o_vrm_feedback small mb-3 text-success o_vrm_saved";
        feedback.replaceChildren();
        feedback.append("Saved. ");
        const link = document.createElement("a");
        link.href = result.receipt_url;
        link.textContent = "Download the receipt";
        feedback.append(link);
    },
});
