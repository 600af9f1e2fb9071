from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..report.sales_policy_collection_report import AGEING_BUCKETS


class SalesPolicyCollectionReportWizard(models.TransientModel):
    """Print the periodic collection report (定期向财务部门汇报回款情况, 篇四 §15.3).

    Per salesperson in the user's scope: the receivables ageing today, the
    collection of the period (due, collected, rate, as defined by
    ``account.move._sales_policy_collection_figures``), broken payment promises and
    open bad-debt risk cases.
    """

    _name = "sales.policy.collection.report.wizard"
    _description = "Periodic Collection Report"

    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)

    def _default_date_to(self):
        return fields.Date.context_today(self).replace(day=1) - relativedelta(days=1)

    date_from = fields.Date(
        string="From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(string="To", required=True, default=lambda self: self._default_date_to())
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Salespeople",
        domain="[('share', '=', False)]",
        help="Leave empty for every salesperson you are responsible for.",
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period starts after it ends."))

    def action_print(self):
        self.ensure_one()
        return self.env.ref("sales_policy.action_report_collection_periodic").report_action(self)

    def _sales_policy_report_data(self):
        """Everything the QWeb template prints, read as the user (record rules apply)."""
        self.ensure_one()
        env = (
            self.with_company(self.company_id)
            .with_context(allowed_company_ids=self.company_id.ids)
            .env
        )
        user = self.env.user
        if user.has_group("account.group_account_readonly") and user._sales_policy_scope() != "all":
            # accountants without a sales role read every salesperson's figures
            scope_users = user.sudo().search(
                [("share", "=", False), ("company_ids", "in", user.company_ids.ids)]
            )
        else:
            scope_users = user._sales_policy_scope_users()
        users = self.user_ids & scope_users if self.user_ids else scope_users
        currency = self.company_id.currency_id

        domain = [("company_id", "=", self.company_id.id)]
        if self.user_ids:
            domain.append(("user_id", "in", self.user_ids.ids))
        bucket_fields = [f"residual_{key}" for key, _label in AGEING_BUCKETS]
        ageing = {
            user: values
            for user, *values in env["sales.policy.collection.report"]._read_group(
                domain, ["user_id"], [f"{name}:sum" for name in bucket_fields] + ["residual:sum"]
            )
        }
        figures = env["account.move"]._sales_policy_collection_figures(
            self.date_from, self.date_to, user_ids=users.ids
        )
        broken = dict(
            env["sales.policy.collection.log"]._read_group(
                [*domain, ("promise_state", "=", "broken")], ["user_id"], ["__count"]
            )
        )
        bad_debt = {
            user: (count, amount)
            for user, count, amount in env["sales.policy.bad.debt"]._read_group(
                [*domain, ("state", "in", env["sales.policy.bad.debt"]._OPEN_STATES)],
                ["user_id"],
                ["__count", "amount_at_risk:sum"],
            )
        }
        Users = self.env["res.users"]
        people = Users.browse(
            {u.id for u in ageing if u}
            | {uid for uid, f in figures.items() if f["due"] or f["collected"]}
            | {u.id for u in broken if u}
            | {u.id for u in bad_debt if u}
        ).sorted("name")
        rows = []
        for user in people:
            fig = figures.get(user.id, {"due": 0.0, "collected": 0.0, "rate": None})
            rows.append(
                {
                    "user": user,
                    "buckets": ageing.get(user, [0.0] * (len(bucket_fields) + 1))[:-1],
                    "total": ageing.get(user, [0.0] * (len(bucket_fields) + 1))[-1],
                    "due": fig["due"],
                    "collected": fig["collected"],
                    "rate": fig["rate"],
                    "broken": broken.get(user, 0),
                    "bad_debt_count": bad_debt.get(user, (0, 0.0))[0],
                    "bad_debt_amount": bad_debt.get(user, (0, 0.0))[1],
                }
            )
        unassigned = ageing.get(Users)
        totals = {
            "buckets": [sum(row["buckets"][i] for row in rows) for i in range(len(bucket_fields))],
            "total": sum(row["total"] for row in rows),
            "due": sum(row["due"] for row in rows),
            "collected": sum(row["collected"] for row in rows),
            "broken": sum(row["broken"] for row in rows),
            "bad_debt_count": sum(row["bad_debt_count"] for row in rows),
            "bad_debt_amount": sum(row["bad_debt_amount"] for row in rows),
        }
        if unassigned:
            totals["buckets"] = [
                a + b for a, b in zip(totals["buckets"], unassigned[:-1], strict=True)
            ]
            totals["total"] += unassigned[-1]
        totals["rate"] = totals["collected"] / totals["due"] if totals["due"] else None
        return {
            "currency": currency,
            "today": fields.Date.context_today(self),
            "bucket_labels": [
                label
                for _key, label in self.env["sales.policy.collection.report"]
                ._fields["bucket"]
                ._description_selection(self.env)
            ],
            "rows": rows,
            "unassigned": unassigned and {"buckets": unassigned[:-1], "total": unassigned[-1]},
            "totals": totals,
        }
