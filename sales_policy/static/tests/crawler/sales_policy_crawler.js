import { rpcBus } from "@web/core/network/rpc";

/**
 * A light click-everywhere on the menus of the given addons: as the logged-in user,
 * open every menu of theirs that user sees, the first record of its list or kanban (the
 * document the menu leads to), every filter of its search view (unless called with
 * ``{filters: false}``) and every view of its action. Any error dialog, RPC error or timeout fails the crawl; success
 * logs the same signal as Odoo's clickbot.
 *
 * Odoo's clickbot (web/static/src/webclient/clickbot) crawls whole apps: every menu of
 * the app, with every view and filter, but never opens a record. This one is restricted
 * to our menus, and opens their documents.
 */

const TIMEOUT = 30000;
const pending = new Set();
let lastRpcError;

function onRequest({ detail }) {
    pending.add(detail.data.id);
}

function onResponse({ detail }) {
    pending.delete(detail.data.id);
    if (detail.error) {
        lastRpcError = detail.error;
    }
}

async function nextFrame() {
    await new Promise((resolve) => setTimeout(resolve));
    await new Promise((resolve) => requestAnimationFrame(resolve));
}

/** Wait until nothing is loading and ``condition`` holds; fail on an error dialog. */
async function settle(description, condition = () => true) {
    for (let waited = 0; waited < TIMEOUT; waited += 25) {
        const errorDialog = document.querySelector(".o_error_dialog");
        if (errorDialog) {
            throw new Error(
                `Error dialog on ${description}: ${errorDialog.innerText}` +
                    (lastRpcError ? `\nRPC error: ${JSON.stringify(lastRpcError)}` : "")
            );
        }
        if (!pending.size && condition()) {
            await nextFrame();
            if (!pending.size && condition() && !document.querySelector(".o_error_dialog")) {
                return;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`Timeout on ${description}`);
}

async function click(element, description) {
    console.log(`Clicking on: ${description}`);
    for (const type of ["mouseover", "mouseenter", "mousedown", "mouseup", "click"]) {
        element.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window }));
    }
    await nextFrame();
}

async function closeDialogs(description) {
    let dialog;
    while ((dialog = document.querySelector(".o_dialog:not(.o_error_dialog)"))) {
        const close = dialog.querySelector("header .btn-close, footer .btn-secondary");
        if (!close) {
            throw new Error(`A dialog of ${description} cannot be closed`);
        }
        await click(close, "dialog close button");
        await settle(`closing a dialog of ${description}`, () => !dialog.isConnected);
    }
}

async function testFilters(description) {
    const toggler = document.querySelector(
        ".o_control_panel .dropdown-toggle.o_searchview_dropdown_toggler"
    );
    if (!toggler) {
        return 0;
    }
    await click(toggler, "search options");
    const filters = document.querySelectorAll(
        ".o_filter_menu > .dropdown-item.o_menu_item:not(.o_add_custom_filter)"
    );
    for (const filter of filters) {
        await click(filter, `filter "${filter.innerText.trim()}"`);
        await settle(`filter "${filter.innerText.trim()}" of ${description}`);
    }
    return filters.length;
}

/** Open the first record of a list or kanban view, as a user clicking on it: its form
 * opens (an editable list puts the row in edition instead). */
async function openFirstRecord(description) {
    if (document.querySelector(".o_view_sample_data")) {
        return false; // an empty view showing sample records: nothing to open
    }
    let target;
    const row = document.querySelector(".o_list_view .o_data_row");
    if (row) {
        target = [...row.querySelectorAll("td.o_data_cell")].find(
            (cell) => !cell.querySelector("button, input, .o_field_boolean_toggle")
        );
    } else {
        target = document.querySelector(".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)");
    }
    if (!target) {
        return false;
    }
    await click(target, `first record of ${description}`);
    await settle(`the first record of ${description}`, () =>
        document.querySelector(".o_form_view, .o_selected_row")
    );
    await closeDialogs(description);
    return true;
}

async function crawlMenu(env, menu, withFilters) {
    const description = `${menu.name} (${menu.xmlid})`;
    console.log(`Testing menu ${description}`);
    await env.services.menu.selectMenu(menu);
    await settle(description);
    if (document.querySelector(".o_dialog:not(.o_error_dialog)")) {
        console.log(`Modal detected: ${description}`);
        await closeDialogs(description);
        return { filters: 0, records: 0 };
    }
    // the document the menu leads to, then the menu again for its filters and views
    const records = (await openFirstRecord(description)) ? 1 : 0;
    if (records) {
        await env.services.menu.selectMenu(menu);
        await settle(description);
    }
    const filters = withFilters ? await testFilters(description) : 0;
    const viewTypes = [
        ...document.querySelectorAll("nav.o_cp_switch_buttons > button.o_switch_view:not(.active)"),
    ].map((button) => [...button.classList].find((c) => c !== "o_switch_view" && c.startsWith("o_")).slice(2));
    for (const viewType of viewTypes) {
        const button = document.querySelector(`nav.o_cp_switch_buttons > button.o_switch_view.o_${viewType}`);
        if (!button) {
            throw new Error(`No ${viewType} view switcher on ${description}`);
        }
        await click(button, `${viewType} view of ${description}`);
        await settle(`the ${viewType} view of ${description}`, () =>
            document.querySelector(`.o_switch_view.o_${viewType}.active`)
        );
    }
    return { filters, records };
}

async function salesPolicyCrawl(addons, { filters: withFilters = true } = {}) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    rpcBus.addEventListener("RPC:REQUEST", onRequest);
    rpcBus.addEventListener("RPC:RESPONSE", onResponse);
    const start = performance.now();
    const menus = env.services.menu
        .getAll()
        .filter((menu) => menu.actionID && addons.includes(menu.xmlid.split(".")[0]));
    let filters = 0;
    let records = 0;
    try {
        for (const menu of menus) {
            const counts = await crawlMenu(env, menu, withFilters);
            filters += counts.filters;
            records += counts.records;
        }
        console.log(`Crawl took ${(performance.now() - start) / 1000} seconds`);
        console.log(
            `Successfully tested ${menus.length} menus, ${filters} filters, ${records} records`
        );
        console.log("clickbot test succeeded");
    } catch (error) {
        console.error(error);
    } finally {
        rpcBus.removeEventListener("RPC:REQUEST", onRequest);
        rpcBus.removeEventListener("RPC:RESPONSE", onResponse);
    }
}

window.salesPolicyCrawl = salesPolicyCrawl;
