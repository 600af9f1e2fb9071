from odoo import api, models
from odoo.tools import SQL


class SalesPolicyKpiIndicator(models.AbstractModel):
    """The registry of appraisal indicators (篇四 §23) and their providers.

    Each indicator is one method ``_kpi_<code>(date_from, date_to, users, categ)``
    that computes the figure of *every* salesperson of a run at once, with one grouped
    query, and returns ``{user_id: actual}`` (``None`` where the indicator does not
    apply, e.g. no visit planned). Figures that ``sales_policy`` publishes (collection
    rate, visits, satisfaction) are read from its API, not recomputed.

    Another addon adds an indicator by extending :meth:`_kpi_indicators` and writing
    its ``_kpi_<code>`` method.
    """

    _name = "sales.policy.kpi.indicator"
    _description = "Sales Policy Appraisal Indicators"

    @api.model
    def _kpi_indicators(self):
        """``{code: (label, unit, help)}``, in the order they are offered."""
        return {
            "sales_amount": (
                self.env._("Sales Amount"),
                "amount",
                self.env._(
                    "Untaxed amount of the salesperson's posted customer invoices dated "
                    "in the period, minus their posted credit notes dated in the period, in "
                    "company currency (converted at each invoice's own rate). Restricted to "
                    "a product category, the invoice lines of that category."
                ),
            ),
            "collection_rate": (
                self.env._("Collection Rate"),
                "percent",
                self.env._(
                    "Collected ÷ due on the salesperson's invoices over the period, in %: "
                    "the collection figures of Sales Policy (installments due by the end of "
                    "the period and unpaid at its start; payments collected in the period). "
                    "No figure when nothing was due."
                ),
            ),
            "satisfaction": (
                self.env._("Customer Satisfaction"),
                "score",
                self.env._(
                    "Average score (1–5) of the return visits done and the satisfaction "
                    "surveys answered in the period for the salesperson's customers. No "
                    "figure without any score."
                ),
            ),
            "new_customers": (
                self.env._("New Customers"),
                "count",
                self.env._(
                    "Customers (commercial entities) whose first confirmed sales order in "
                    "the company is dated in the period and is the salesperson's. "
                    "Cancelled orders do not count."
                ),
            ),
            "market_share": (
                self.env._("Market Share"),
                "percent",
                self.env._(
                    "Sales amount of the salesperson ÷ the market size entered for their "
                    "region (and product category) for the same period, in %. No figure "
                    "without a market size."
                ),
            ),
            "visits": (
                self.env._("Visits Done vs Planned"),
                "percent",
                self.env._(
                    "Customer visits done ÷ visits planned (not cancelled) in the period, "
                    "in %. No figure without a planned visit."
                ),
            ),
        }

    @api.model
    def _kpi_selection(self):
        return [(code, spec[0]) for code, spec in self._kpi_indicators().items()]

    @api.model
    def _kpi_compute(self, codes, date_from, date_to, users, company, categs=None):
        """Figures of the indicators ``codes`` for ``users`` over the period.

        :param codes: iterable of ``(code, product category or empty)`` pairs
        :returns: ``{(code, categ_id): {user_id: actual or None}}``
        """
        provider = self.sudo().with_company(company).with_context(allowed_company_ids=company.ids)
        figures = {}
        for code, categ in dict.fromkeys(codes):
            method = getattr(provider, f"_kpi_{code}")
            figures[code, categ.id] = method(date_from, date_to, users, categ)
        return figures

    # ------------------------------------------------------------------------------
    # Providers: one grouped query each over every salesperson of the run
    # ------------------------------------------------------------------------------
    @api.model
    def _kpi_sales_rows(self, by_category=False):
        """The rows the sales amount adds up, as SQL: ``company_id, user_id, date,
        categ_path, amount`` (company currency, credit notes negative).

        Without ``by_category``, one row per posted customer invoice or credit note
        (``amount_untaxed_signed``, ``categ_path`` NULL); with it, one row per product
        line (its ``-balance`` and its product's category ``parent_path``). The sales
        amount indicator and the target-vs-actual report both aggregate these rows, so
        they always agree.
        """
        self.env["account.move"].flush_model(
            [
                "company_id",
                "move_type",
                "state",
                "invoice_date",
                "invoice_user_id",
                "amount_untaxed_signed",
            ]
        )
        if not by_category:
            return SQL(
                """
                SELECT move.company_id, move.invoice_user_id AS user_id,
                       move.invoice_date AS date, NULL::varchar AS categ_path,
                       move.amount_untaxed_signed AS amount
                  FROM account_move move
                 WHERE move.move_type IN ('out_invoice', 'out_refund')
                   AND move.state = 'posted'
                """
            )
        self.env["account.move.line"].flush_model(["display_type", "balance", "product_id"])
        self.env["product.category"].flush_model(["parent_path"])
        return SQL(
            """
            SELECT move.company_id, move.invoice_user_id AS user_id,
                   move.invoice_date AS date, categ.parent_path AS categ_path,
                   -aml.balance AS amount
              FROM account_move move
              JOIN account_move_line aml ON aml.move_id = move.id
              JOIN product_product product ON product.id = aml.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              JOIN product_category categ ON categ.id = tmpl.categ_id
             WHERE move.move_type IN ('out_invoice', 'out_refund')
               AND move.state = 'posted'
               AND aml.display_type = 'product'
            """
        )

    @api.model
    def _kpi_sales_amount(self, date_from, date_to, users, categ=None):
        conditions = [
            SQL("sales.company_id = %s", self.env.company.id),
            SQL("sales.date BETWEEN %s AND %s", date_from, date_to),
        ]
        if categ:
            conditions.append(SQL("sales.categ_path LIKE %s", f"{categ.parent_path}%"))
        if users is not None:
            conditions.append(SQL("sales.user_id = ANY(%s)", users.ids))
        rows = self.env.execute_query(
            SQL(
                "SELECT sales.user_id, SUM(sales.amount) FROM (%s) sales WHERE %s "
                "GROUP BY sales.user_id",
                self._kpi_sales_rows(by_category=bool(categ)),
                SQL(" AND ").join(conditions),
            )
        )
        amounts = dict.fromkeys(users.ids, 0.0) if users is not None else {}
        amounts.update(rows)
        return amounts

    @api.model
    def _kpi_collection_rate(self, date_from, date_to, users, categ=None):
        figures = self.env["account.move"]._sales_policy_collection_figures(
            date_from, date_to, user_ids=users.ids
        )
        return {
            user_id: None if figure["rate"] is None else figure["rate"] * 100
            for user_id, figure in figures.items()
        }

    @api.model
    def _kpi_satisfaction(self, date_from, date_to, users, categ=None):
        figures = self.env["sales.policy.satisfaction"]._sales_policy_satisfaction_figures(
            date_from, date_to, user_ids=users.ids
        )
        return {
            user_id: figure["average"] if figure["count"] else None
            for user_id, figure in figures.items()
        }

    @api.model
    def _kpi_visits(self, date_from, date_to, users, categ=None):
        figures = self.env["sales.policy.visit"]._sales_policy_visit_figures(
            date_from, date_to, user_ids=users.ids
        )
        return {
            user_id: figure["done"] * 100.0 / figure["planned"] if figure["planned"] else None
            for user_id, figure in figures.items()
        }

    @api.model
    def _kpi_new_customers(self, date_from, date_to, users, categ=None):
        start, stop = self.env["sales.policy.visit"]._sales_policy_period_bounds(date_from, date_to)
        self.env["sale.order"].flush_model(["state", "company_id", "date_order", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH period_customer AS (
                    SELECT DISTINCT partner.commercial_partner_id AS id
                      FROM sale_order so
                      JOIN res_partner partner ON partner.id = so.partner_id
                     WHERE so.state = 'sale' AND so.company_id = %(company)s
                       AND so.date_order >= %(start)s AND so.date_order < %(stop)s
                       AND so.user_id = ANY(%(users)s)
                ),
                first_order AS (
                    SELECT DISTINCT ON (partner.commercial_partner_id)
                           so.user_id, so.date_order
                      FROM sale_order so
                      JOIN res_partner partner ON partner.id = so.partner_id
                      JOIN period_customer ON period_customer.id = partner.commercial_partner_id
                     WHERE so.state = 'sale' AND so.company_id = %(company)s
                       AND so.date_order < %(stop)s
                  ORDER BY partner.commercial_partner_id, so.date_order, so.id
                )
                SELECT user_id, COUNT(*)
                  FROM first_order
                 WHERE date_order >= %(start)s AND user_id = ANY(%(users)s)
              GROUP BY user_id
                """,
                company=self.env.company.id,
                start=start,
                stop=stop,
                users=users.ids,
            )
        )
        counts = dict.fromkeys(users.ids, 0)
        counts.update(rows)
        return counts

    @api.model
    def _kpi_market_share(self, date_from, date_to, users, categ=None):
        sales = self._kpi_sales_amount(date_from, date_to, users, categ)
        region_by_user = self._kpi_user_regions(users)
        sizes = dict(
            self.env["sales.policy.kpi.market.size"]._read_group(
                [
                    ("company_id", "=", self.env.company.id),
                    ("region_id", "in", list(set(region_by_user.values()))),
                    ("categ_id", "=", categ.id if categ else False),
                    ("date_from", "=", date_from),
                    ("date_to", "=", date_to),
                ],
                ["region_id"],
                ["amount:sum"],
            )
        )
        sizes = {region.id: amount for region, amount in sizes.items()}
        shares = {}
        for user in users:
            size = sizes.get(region_by_user.get(user.id))
            shares[user.id] = sales.get(user.id, 0.0) * 100.0 / size if size else None
        return shares

    @api.model
    def _kpi_user_regions(self, users):
        """``{user_id: region_id}`` of the users' sales teams (one query)."""
        members = self.env["crm.team.member"].search(
            [("user_id", "in", users.ids), ("crm_team_id.region_id", "!=", False)]
        )
        return {member.user_id.id: member.crm_team_id.region_id.id for member in members}
