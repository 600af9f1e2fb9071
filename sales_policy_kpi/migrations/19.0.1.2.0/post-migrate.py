"""19.0.1.2.0: the default template is the default of the sales representative role."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE sales_policy_kpi_template template
           SET role = 'rep'
          FROM ir_model_data data
         WHERE data.model = 'sales.policy.kpi.template' AND data.res_id = template.id
           AND data.module = 'sales_policy_kpi' AND data.name = 'kpi_template_sales_rep'
           AND template.role IS NULL
        """
    )
