import { registry } from "@web/core/registry";

// The rep opens their quotation from My Quotations and submits it for approval.
registry.category("web_tour.tours").add("sales_policy_rep_submit", {
    url: "/odoo/action-sale.action_quotations_with_onboarding",
    steps: () => [
        {
            content: "Open the quotation of my customer",
            trigger: ".o_data_row td:contains('Customer of sp_rep_n1a')",
            run: "click",
        },
        {
            content: "The quotation says what it still lacks to be confirmed",
            trigger: "div[name='policy_confirm_missing']:contains('approval')",
        },
        {
            content: "Submit it for approval",
            trigger: "button[name='action_policy_submit']",
            run: "click",
        },
        {
            content: "It now waits for approval",
            trigger: ".o_field_widget[name='policy_approval_state']:contains('Waiting Approval')",
        },
    ],
});

// The supervisor approves it from the inbox, with a comment.
registry.category("web_tour.tours").add("sales_policy_supervisor_approve", {
    url: "/odoo/action-sales_policy.sales_policy_approval_action_to_approve",
    steps: () => [
        {
            content: "The inbox shows the customer of the quotation",
            trigger: ".o_data_row td:contains('Customer of sp_rep_n1a')",
        },
        {
            content: "Approve it from the list",
            trigger: ".o_data_row button.text-success",
            run: "click",
        },
        {
            content: "Write a comment",
            trigger: ".modal .o_field_widget[name='comment'] textarea",
            run: "edit Prices checked.",
        },
        {
            content: "Confirm the decision",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "Nothing waits for me any more",
            trigger: ".o_view_nocontent",
        },
    ],
});
