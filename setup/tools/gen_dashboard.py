"""Generate the policy dashboards in sales_policy/data/files/ ("What Waits for Me").

Usage: python setup/tools/gen_dashboard.py

Each dashboard (Dashboards app → Sales) is an Odoo spreadsheet, the way Odoo's own
dashboards are shipped: one Odoo pivot per figure (no grouping: the total of the records
the user may read), scorecards reading them, and two lists. The spreadsheet loads its
data through the ORM as the user, so the record rules of the sales hierarchy scope every
figure (own / team / region / all). "To approve" is the user's own inbox.

- ``sales_policy_dashboard.json`` (Sales Policy): the sales line and assistants;
- ``sales_policy_finance_dashboard.json`` (Collections and Approvals): finance, who reads
  no visits and follows up no leads;
- ``sales_policy_contracts_dashboard.json`` (Contracts and Approvals): legal reviewers
  and contract administrators, who do not read the collection ageing.

Every figure opens a menu of the roles its dashboard is for (tested). Every label is a
``_t("...")`` formula or a chart title: Odoo's translation export picks them up
(``*_dashboard.json`` under ``data/``) into the addon's .pot.
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "sales_policy" / "data" / "files"

COUNT = {"id": "__count", "fieldName": "__count"}

#: (key, title, model, domain, measures, value measure, menu opened by a click, colour)
FIGURES = [
    (
        "to_approve",
        "To Approve",
        "sales.policy.approval",
        [["can_decide", "=", True]],
        [COUNT],
        "__count",
        "sales_policy.sales_policy_approval_to_approve_menu",
        "#EFF6FF",
    ),
    (
        "follow_up_overdue",
        "Overdue Follow-ups",
        "crm.lead",
        [["sales_policy_follow_up_overdue", "=", True]],
        [COUNT],
        "__count",
        "sales_policy.crm_lead_sales_policy_follow_up_overdue_menu",
        "#EFF6FF",
    ),
    (
        "visits_due",
        "Visits Due",
        "sales.policy.visit",
        [["is_due", "=", True]],
        [COUNT],
        "__count",
        "sales_policy.sales_policy_visit_menu",
        "#EFF6FF",
    ),
    (
        "alerts_open",
        "Open Alerts",
        "sales.policy.alert",
        [["state", "=", "open"]],
        [COUNT],
        "__count",
        "sales_policy.sales_policy_alert_menu",
        "#EFF6FF",
    ),
    (
        "invoices_overdue",
        "Overdue Invoices",
        "sales.policy.collection.report",
        [["move_type", "=", "out_invoice"], ["days_overdue", ">", 0]],
        [
            {
                "id": "move_id:count_distinct",
                "fieldName": "move_id",
                "aggregator": "count_distinct",
            },
            {"id": "residual:sum", "fieldName": "residual", "aggregator": "sum"},
        ],
        "move_id:count_distinct",
        "sales_policy.account_move_to_collect_menu",
        "#FEF2F2",
    ),
    (
        "amount_overdue",
        "Overdue Amount",
        None,  # the second measure of the overdue invoices' pivot
        None,
        None,
        "residual:sum",
        "sales_policy.sales_policy_collection_report_menu",
        "#FEF2F2",
    ),
    (
        "contracts_review",
        "Contracts in Legal Review",
        "sales.policy.contract",
        [["state", "=", "review"]],
        [COUNT],
        "__count",
        "sales_policy.sales_policy_contract_menu",
        "#FFF7ED",
    ),
    (
        "contracts_to_file",
        "Contracts to File",
        "sales.policy.contract",
        [["state", "=", "signed"]],
        [COUNT],
        "__count",
        "sales_policy.sales_policy_contract_menu",
        "#FFF7ED",
    ),
]

LISTS = [
    (
        "Waiting for My Approval",
        "sales.policy.approval",
        [["can_decide", "=", True]],
        ["name", "partner_id", "level", "requested_by_id", "pending_since"],
        [{"name": "pending_since", "asc": True}],
    ),
    (
        "Overdue Invoices",
        "sales.policy.collection.report",
        [["move_type", "=", "out_invoice"], ["days_overdue", ">", 0]],
        ["move_id", "partner_id", "user_id", "days_overdue", "residual"],
        [{"name": "days_overdue", "asc": False}],
    ),
    (
        "Contracts to Review or File",
        "sales.policy.contract",
        [["state", "in", ["review", "signed"]]],
        ["name", "partner_id", "user_id", "state", "amount_total"],
        [{"name": "state", "asc": True}],
    ),
]
#: file: (title, figure keys, list titles)
DASHBOARDS = {
    "sales_policy_dashboard.json": (
        "Sales Policy: what waits for me",
        [figure[0] for figure in FIGURES],
        ["Waiting for My Approval", "Overdue Invoices"],
    ),
    # finance reads no visits and does not follow up leads: its own figures
    "sales_policy_finance_dashboard.json": (
        "Collections and approvals: what waits for me",
        ["to_approve", "alerts_open", "invoices_overdue", "amount_overdue"],
        ["Waiting for My Approval", "Overdue Invoices"],
    ),
    "sales_policy_contracts_dashboard.json": (
        "Contracts and approvals: what waits for me",
        ["to_approve", "alerts_open", "contracts_review", "contracts_to_file"],
        ["Waiting for My Approval", "Contracts to Review or File"],
    ),
}
LIST_ROWS = 10
COLUMNS = "ABCDEFGHIJ"


def _t(text):
    return f'=_t("{text}")'


def build(heading, keys, list_titles):
    pivots, data_cells, figures, menus = {}, {}, [], {}
    data_cells["A1"] = _t("Figure")
    data_cells["B1"] = _t("Value")
    pivot_id = 0
    chosen = [figure for figure in FIGURES if figure[0] in keys]
    for row, (key, title, model, domain, measures, measure, menu, colour) in enumerate(
        chosen, start=2
    ):
        if model:
            pivot_id += 1
            pivots[str(pivot_id)] = {
                "type": "ODOO",
                "id": str(pivot_id),
                "formulaId": str(pivot_id),
                "name": title,
                "model": model,
                "domain": domain,
                "context": {},
                "measures": measures,
                "rows": [],
                "columns": [],
                "sortedColumn": None,
                "fieldMatching": {},
            }
        data_cells[f"A{row}"] = _t(title)
        data_cells[f"B{row}"] = f'=PIVOT.VALUE({pivot_id},"{measure}")'
        figure_id = f"sales-policy-{key}"
        index = row - 2
        figures.append(
            {
                "id": figure_id,
                "col": 0,
                "row": 0,
                "offset": {"x": 10 + (index % 4) * 232, "y": 50 + (index // 4) * 118},
                "width": 222,
                "height": 106,
                "tag": "chart",
                "data": {
                    "type": "scorecard",
                    "title": {"text": title, "bold": True, "color": "#434343"},
                    "keyValue": f"Data!B{row}",
                    "background": colour,
                    "baselineMode": "difference",
                    "baselineColorDown": "#DC6965",
                    "baselineColorUp": "#00A04A",
                    "humanize": False,
                    "chartId": figure_id,
                },
            }
        )
        menus[figure_id] = menu

    cells = {"A1": _t(heading)}
    styles = {"A1": 1}
    lists = {}
    top = 12  # first row of the lists, under the scorecards
    chosen_lists = [spec for spec in LISTS if spec[0] in list_titles]
    for list_id, (title, model, domain, columns, order) in enumerate(chosen_lists, start=1):
        lists[str(list_id)] = {
            "id": str(list_id),
            "name": title,
            "model": model,
            "domain": domain,
            "context": {},
            "columns": columns,
            "orderBy": order,
            "fieldMatching": {},
        }
        cells[f"A{top}"] = _t(title)
        styles[f"A{top}"] = 2
        for col, field in zip(COLUMNS, columns, strict=False):
            cells[f"{col}{top + 1}"] = f'=ODOO.LIST.HEADER({list_id},"{field}")'
            styles[f"{col}{top + 1}"] = 3
            for position in range(1, LIST_ROWS + 1):
                cells[f"{col}{top + 1 + position}"] = f'=ODOO.LIST({list_id},{position},"{field}")'
        top += LIST_ROWS + 4

    return {
        "version": "18.5.10",
        "sheets": [
            {
                "id": "sales-policy-dashboard",
                "name": "Dashboard",
                "colNumber": 6,
                "rowNumber": top + 2,
                "rows": {"0": {"size": 40}},
                "cols": {
                    "0": {"size": 230},
                    "1": {"size": 190},
                    "2": {"size": 150},
                    "3": {"size": 170},
                    "4": {"size": 150},
                    "5": {"size": 60},
                },
                "merges": [],
                "cells": cells,
                "styles": styles,
                "formats": {},
                "borders": {},
                "conditionalFormats": [],
                "dataValidationRules": [],
                "figures": figures,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "comments": {},
            },
            {
                "id": "sales-policy-data",
                "name": "Data",
                "colNumber": 4,
                "rowNumber": len(chosen) + 2,
                "rows": {},
                "cols": {"0": {"size": 200}, "1": {"size": 120}},
                "merges": [],
                "cells": data_cells,
                "styles": {"A1:B1": 3},
                "formats": {},
                "borders": {},
                "conditionalFormats": [],
                "dataValidationRules": [],
                "figures": [],
                "tables": [],
                "areGridLinesVisible": True,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "comments": {},
            },
        ],
        "styles": {
            "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},
            "2": {"textColor": "#01666b", "bold": True, "fontSize": 12},
            "3": {"bold": True, "textColor": "#434343"},
        },
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "pivots": pivots,
        "pivotNextId": pivot_id + 1,
        "customTableStyles": {},
        "globalFilters": [],
        "lists": lists,
        "listNextId": len(chosen_lists) + 1,
        "chartOdooMenusReferences": menus,
    }


def main():
    FILES.mkdir(parents=True, exist_ok=True)
    for name, (heading, keys, list_titles) in DASHBOARDS.items():
        out = FILES / name
        snapshot = build(heading, keys, list_titles)
        out.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
