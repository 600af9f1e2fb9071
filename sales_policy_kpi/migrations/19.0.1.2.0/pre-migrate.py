"""19.0.1.2.0: the items of the default template are data records of their own (their
names and descriptions are translated from the module's .po files). Give the items that
an earlier version created inside the template their XML ids, so the update does not
create them a second time."""

ITEMS = {
    10: "kpi_template_sales_rep_sales_amount",
    20: "kpi_template_sales_rep_collection_rate",
    30: "kpi_template_sales_rep_new_customers",
    40: "kpi_template_sales_rep_satisfaction",
    50: "kpi_template_sales_rep_visits",
    60: "kpi_template_sales_rep_work_attitude",
    70: "kpi_template_sales_rep_teamwork",
    80: "kpi_template_sales_rep_learning",
    90: "kpi_template_sales_rep_conduct",
    100: "kpi_template_sales_rep_market_info",
}


def migrate(cr, version):
    cr.execute(
        """
        SELECT DISTINCT ON (line.sequence) line.sequence, line.id
          FROM sales_policy_kpi_template_line line
          JOIN ir_model_data template
            ON template.model = 'sales.policy.kpi.template'
           AND template.res_id = line.template_id
         WHERE template.module = 'sales_policy_kpi'
           AND template.name = 'kpi_template_sales_rep'
      ORDER BY line.sequence, line.id
        """
    )
    for sequence, line_id in cr.fetchall():
        name = ITEMS.get(sequence)
        if not name:
            continue
        cr.execute(
            """
            INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
            VALUES ('sales_policy_kpi', %s, 'sales.policy.kpi.template.line', %s, TRUE)
            ON CONFLICT DO NOTHING
            """,
            [name, line_id],
        )
