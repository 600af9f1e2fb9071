import { registry } from "@web/core/registry";

// The main path of every role, in a real browser. Selectors name fields, buttons and
// states, never translated texts, so that the same tours run in the zh_CN interface; the
// only texts are data (customer and product names), the same in every language.
const CUSTOMER = "Customer of sp_rep_n1a";
const PRODUCT = "Access controller";
const tours = registry.category("web_tour.tours");

function statusIs(value) {
    return {
        content: `The document is now ${value}`,
        trigger: `.o_statusbar_status button.o_arrow_button_current[data-value='${value}']`,
    };
}

function pickMany2one(field, text, scope = "") {
    return [
        {
            content: `Search ${text} in ${field}`,
            trigger: `${scope} .o_field_widget[name='${field}'] input`,
            run: `edit ${text}`,
        },
        {
            content: `Pick ${text}`,
            trigger: `.o-autocomplete--dropdown-item a:contains('${text}')`,
            run: "click",
        },
    ];
}

function decideInDialog(comment) {
    return [
        {
            content: "Write a comment",
            trigger: ".modal .o_field_widget[name='comment'] textarea",
            run: `edit ${comment}`,
        },
        {
            content: "Confirm the decision",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ];
}

// The rep plans a visit to the customer, then records it.
tours.add("sales_policy_rep_visit", {
    steps: () => [
        {
            content: "Plan a new visit",
            trigger: ".o_list_button_add",
            run: "click",
        },
        ...pickMany2one("partner_id", CUSTOMER),
        {
            content: "An hour ago (smart date: the same in every language)",
            trigger: ".o_field_widget[name='date_planned'] input",
            run: "edit -1H",
        },
        {
            content: "Record what the customer needs",
            trigger: ".o_field_widget[name='findings'] .odoo-editor-editable",
            run: "editor Access control for three gates",
        },
        {
            content: "Record the outcome",
            trigger: ".o_field_widget[name='outcome'] textarea",
            run: "edit Quotation promised",
        },
        {
            content: "Mark the visit as done (the form is saved first)",
            trigger: "button[name='action_done']",
            run: "click",
        },
        statusIs("done"),
    ],
});

// The rep builds a quotation with a 15 % line discount and submits it for approval.
tours.add("sales_policy_rep_submit", {
    steps: () => [
        {
            content: "A new quotation",
            trigger: ".o_list_button_add",
            run: "click",
        },
        ...pickMany2one("partner_id", CUSTOMER),
        {
            content: "Delivery date in a month",
            trigger: ".o_field_widget[name='commitment_date'] input",
            run: "edit +30d",
        },
        {
            content: "Add a product line",
            trigger: ".o_field_x2many_list_row_add a",
            run: "click",
        },
        ...pickMany2one("product_template_id", PRODUCT, ".o_selected_row"),
        {
            content: "The discount column is there: 15 %",
            trigger: ".o_selected_row .o_field_widget[name='discount'] input",
            run: "edit 15",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The quotation says what it still lacks to be confirmed",
            trigger: "div[name='policy_confirm_missing']",
        },
        {
            content: "Submit it for approval",
            trigger: "button[name='action_policy_submit']",
            run: "click",
        },
        {
            content: "It now waits for approval",
            trigger: ".o_field_widget[name='policy_approval_state'] .text-bg-warning",
        },
    ],
});

// A supervisor or a regional manager approves it from the inbox, with a comment.
tours.add("sales_policy_inbox_approve", {
    steps: () => [
        {
            content: "The inbox shows the customer of the quotation",
            trigger: `.o_data_row td:contains('${CUSTOMER}')`,
        },
        {
            content: "Approve it from the list",
            trigger: ".o_data_row button.text-success",
            run: "click",
        },
        ...decideInDialog("Prices checked."),
        {
            content: "Nothing waits for me any more",
            trigger: ".o_view_nocontent",
        },
    ],
});

// The rep makes the contract of the approved quotation and submits it to legal.
tours.add("sales_policy_rep_contract", {
    steps: () => [
        {
            content: "The quotation is approved",
            trigger: ".o_field_widget[name='policy_approval_state'] .text-bg-success",
        },
        {
            content: "Make its contract",
            trigger: "button[name='action_sales_policy_contract']",
            run: "click",
        },
        {
            content: "Submit it to legal review (the contract is saved first)",
            trigger: "button[name='action_submit_review']",
            run: "click",
        },
        statusIs("review"),
        {
            content: "The terms were filled in from the company's template",
            trigger: `.o_field_widget[name='terms']:contains('${CUSTOMER}')`,
        },
    ],
});

// Legal approves the contract from the contracts to review.
tours.add("sales_policy_legal_approve", {
    steps: () => [
        {
            content: "Open the contract waiting for review",
            trigger: `.o_data_row td:contains('${CUSTOMER}')`,
            run: "click",
        },
        {
            content: "Approve it",
            trigger: "button[name='action_legal_decide_wizard'].btn-primary",
            run: "click",
        },
        ...decideInDialog("Terms checked."),
        statusIs("approved"),
    ],
});

// The rep records the signature of the contract, then confirms the order.
tours.add("sales_policy_rep_sign_confirm", {
    steps: () => [
        {
            content: "Open the contract",
            trigger: "button[name='action_sales_policy_contract']",
            run: "click",
        },
        {
            content: "Record the signature",
            trigger: "button[name='action_sign_dialog']",
            run: "click",
        },
        {
            content: "Signed today",
            trigger: ".modal button[name='action_sign']",
            run: "click",
        },
        statusIs("signed"),
        {
            content: "Back to the order",
            trigger: "button[name='action_open_order']",
            run: "click",
        },
        {
            content: "Confirm the order",
            trigger: "button[name='action_confirm']",
            run: "click",
        },
        statusIs("sale"),
    ],
});

// The contract administration files the signed original.
tours.add("sales_policy_contract_file", {
    steps: () => [
        {
            content: "Open the signed contract",
            trigger: `.o_data_row td:contains('${CUSTOMER}')`,
            run: "click",
        },
        {
            content: "File it",
            trigger: "button[name='action_file_dialog']",
            run: "click",
        },
        {
            content: "The original was received today",
            trigger: ".modal .o_field_widget[name='date_received'] input",
            run: "edit today",
        },
        {
            content: "Where it is kept",
            trigger: ".modal .o_field_widget[name='storage_location'] input",
            run: "edit Cabinet 3",
        },
        {
            content: "File",
            trigger: ".modal button[name='action_file']",
            run: "click",
        },
        statusIs("filed"),
    ],
});

// Finance works the overdue list: logs a collection call, then opens a bad-debt case.
tours.add("sales_policy_finance_collect", {
    steps: () => [
        {
            content: "Open the overdue invoice",
            trigger: `.o_data_row.text-danger td:contains('${CUSTOMER}')`,
            run: "click",
        },
        {
            content: "Log a collection call",
            trigger: "button[name='action_sales_policy_log_collection']",
            run: "click",
        },
        {
            content: "The customer's reason",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Waiting for its own customer to pay",
        },
        {
            content: "Save the log",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The log is counted on the invoice",
            trigger: "button[name='action_sales_policy_collection_logs'] .o_stat_value:contains('1')",
        },
        {
            content: "Report a bad-debt risk",
            trigger: "button[name='action_sales_policy_report_bad_debt']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        statusIs("collecting"),
        {
            content: "Describe the risk",
            trigger: ".o_field_widget[name='description'] textarea",
            run: "edit The customer stopped answering",
        },
        {
            content: "Save the case",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, no error",
            trigger: "body:not(:has(.modal)) .o_form_view .o_form_saved",
        },
    ],
});

// The director edits the approval matrix: the regional manager's band starts at 12 %.
const BANDS = ".o_field_widget[name='discount_band_ids'] tr.o_data_row";
tours.add("sales_policy_director_matrix", {
    steps: () => [
        {
            content: "Open the matrix",
            trigger: ".o_data_row:first td.o_data_cell",
            run: "click",
        },
        {
            content: "Edit the supervisor's band",
            trigger: `${BANDS}:nth-child(1) td[name='up_to']`,
            run: "click",
        },
        {
            content: "Up to 12 %",
            trigger: `${BANDS}.o_selected_row:nth-child(1) [name='up_to'] input`,
            run: "edit 12",
        },
        {
            content: "Edit the regional manager's band",
            trigger: `${BANDS}:nth-child(2) td[name='above']`,
            run: "click",
        },
        {
            content: "Above 12 %",
            trigger: `${BANDS}.o_selected_row:nth-child(2) [name='above'] input`,
            run: "edit 12",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, no error",
            trigger: "body:not(:has(.modal)) .o_form_view .o_form_saved",
        },
    ],
});
