"""Check the demo database that setup/run.sh installed: a Chinese company, in ¥, both languages.

Usage, with the project's virtualenv (Odoo's source is on its path):

    .venv/bin/python setup/tools/check_demo.py [DB]    # DB: $SP_DB, else sales_policy

It reads the Odoo configuration setup/run.sh wrote for DB ($SP_CACHE/odoo-DB.conf,
SP_CACHE defaulting to ~/.cache/sales-policy), prints each check with OK or FAIL and
exits non-zero when one fails. The checks: the demo company on Odoo's Chinese chart
(l10n_cn) in CNY with 13 % VAT on sales; every quotation and order of the company in
CNY, each of its product lines with a VAT of that chart (no generic tax left), our
products and demo invoices at 13 % (goods), 9 % (construction) or 6 % (services);
English and Simplified Chinese active; every demo partner of ours with a Chinese
address, the customers with Chinese as their language; the employees of our demo
expenses linked to their users and named as people.
"""

import os
import sys
from pathlib import Path

import odoo
from odoo.modules.registry import Registry
from odoo.tools import config

ADDONS = ("sales_policy", "sales_policy_risk", "sales_policy_kpi")
VAT_RATES = {13.0, 9.0, 6.0}


def _demo_records(env, model):
    data = env["ir.model.data"].search([("module", "in", ADDONS), ("model", "=", model)])
    return env[model].browse(data.mapped("res_id")).exists()


def _names(records):
    return ", ".join(records.mapped("display_name")) or "-"


def checks(env):
    """Yield (ok, what) for every check."""
    company = env.ref("base.main_company")
    chart = env["account.chart.template"].with_company(company)
    yield (
        company.chart_template == "cn" and company.currency_id.name == "CNY",
        f"company {company.name}: chart {company.chart_template}, currency "
        f"{company.currency_id.name} (expected cn, CNY)",
    )
    vat_13 = chart.ref("l10n_cn_sales_excluded_13", raise_if_not_found=False)
    yield (
        bool(vat_13) and company.account_sale_tax_id == vat_13,
        f"default sales tax: {company.account_sale_tax_id.name} "
        f"{company.account_sale_tax_id.amount:g} % (expected l10n_cn's VAT 13 %)",
    )

    orders = env["sale.order"].search([("company_id", "=", company.id)])
    foreign = orders.filtered(lambda order: order.currency_id != company.currency_id)
    yield (
        bool(orders) and not foreign,
        f"{len(orders)} quotations and orders, {len(foreign)} not in CNY: {_names(foreign)}",
    )
    invoices = env["account.move"].search(
        [("company_id", "=", company.id), ("move_type", "in", ("out_invoice", "out_refund"))]
    )
    cn_taxes = env["account.tax"].search([("company_id", "=", company.id)])
    lines = [
        *orders.order_line.filtered(lambda line: not line.display_type),
        *invoices.invoice_line_ids.filtered(lambda line: line.display_type == "product"),
    ]
    bad = [
        line
        for line in lines
        if not line.tax_ids
        or line.tax_ids - cn_taxes
        or set(line.tax_ids.mapped("amount")) - VAT_RATES
    ]
    yield (
        bool(lines) and not bad,
        f"{len(lines)} order and invoice lines of the company, {len(bad)} without a VAT "
        f"of 13/9/6 % of its chart: {', '.join(line.display_name for line in bad[:5]) or '-'}",
    )

    rates = {
        "sales_policy.product_device": 13.0,
        "sales_policy.product_service": 6.0,
        "sales_policy.invoice_collection_gz_mall": 13.0,
        "sales_policy.invoice_collection_sz_tech": 9.0,
        "sales_policy.invoice_collection_sh_bank": 6.0,
    }
    for xmlid, rate in rates.items():
        record = env.ref(xmlid)
        if record._name == "account.move":
            taxes = record.invoice_line_ids.tax_ids
        else:
            taxes = record.taxes_id.filtered(lambda tax: tax.company_id == company)
        yield (
            taxes.mapped("amount") == [rate] and not taxes - cn_taxes,
            f"{xmlid}: VAT {', '.join(f'{amount:g} %' for amount in taxes.mapped('amount'))} "
            f"(expected {rate:g} %)",
        )

    languages = env["res.lang"].search([("code", "in", ("en_US", "zh_CN"))])
    yield (
        sorted(languages.mapped("code")) == ["en_US", "zh_CN"],
        f"active languages: {', '.join(env['res.lang'].search([]).mapped('code'))} "
        "(expected en_US and zh_CN)",
    )

    partners = _demo_records(env, "res.partner").filtered("is_company") | company.partner_id
    unaddressed = partners.filtered(
        lambda partner: (
            not (
                partner.street
                and partner.city
                and partner.zip
                and partner.state_id
                and partner.country_id.code == "CN"
            )
        )
    )
    yield (
        not unaddressed,
        f"{len(partners)} demo companies and customers, {len(unaddressed)} without a Chinese "
        f"address (street, city, zip, province): {_names(unaddressed)}",
    )

    customers = partners.filtered("customer_rank") | company.partner_id
    foreign = customers.filtered(lambda partner: partner.lang != "zh_CN")
    yield (
        not foreign,
        f"{len(customers)} demo customers and the company, {len(foreign)} not in Chinese "
        f"(their quotations and contracts print in their language): {_names(foreign)}",
    )

    expenses = _demo_records(env, "hr.expense")
    employees = expenses.employee_id
    unnamed = employees.filtered(
        lambda employee: (
            not employee.user_id or employee.name != employee.user_id.name.split(" (")[0]
        )
    )
    yield (
        bool(expenses) and not unnamed,
        f"{len(expenses)} demo expenses of {len(employees)} employees "
        f"({_names(employees)}), {len(unnamed)} not linked to a user of the same name: "
        f"{_names(unnamed)}",
    )


def main():
    dbname = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SP_DB", "sales_policy")
    cache = Path(os.environ.get("SP_CACHE", Path.home() / ".cache" / "sales-policy"))
    conf = cache / f"odoo-{dbname}.conf"
    if not conf.is_file():
        sys.exit(f"No Odoo configuration {conf}: run setup/run.sh with SP_DB={dbname} first.")
    config.parse_config(
        ["-c", str(conf), "-d", dbname, "--http-interface=127.0.0.1", "--log-level=warn"]
    )
    failed = 0
    with Registry(dbname).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        for ok, what in checks(env):
            failed += not ok
            print(f"{'OK  ' if ok else 'FAIL'}  {what}")
    print(f"{failed} check(s) failed" if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
