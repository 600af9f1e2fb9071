from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

#: The characters of a unified social credit code (GB 32100-2015): no I, O, S, V, Z.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: The weights of its first 17 characters for the check character.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_valid_uscc(code):
    """Whether ``code`` is a unified social credit code (统一社会信用代码, GB 32100-2015):
    18 characters of the code's charset whose last is the check character of the 17 first.
    """
    if len(code or "") != 18 or any(char not in USCC_CHARSET for char in code):
        return False
    total = sum(USCC_CHARSET.index(char) * w for char, w in zip(code, USCC_WEIGHTS, strict=False))
    return code[17] == USCC_CHARSET[(31 - total % 31) % 31]


class ResPartner(models.Model):
    _inherit = "res.partner"

    #: Roles allowed to export customer data (control customer_confidentiality).
    _SALES_POLICY_EXPORT_GROUPS = (
        "sales_policy.group_sales_director",
        "sales_policy.group_finance",
    )

    # --- Visit frequency (篇四 §10.4, control visit_frequency) ------------------------
    sales_policy_customer_class_id = fields.Many2one(
        "sales.policy.customer.class",
        string="Customer Class",
        index="btree_not_null",
        tracking=True,
        help="The class (A/B/C…) sets the maximum number of days between two visits.",
    )
    sales_policy_last_visit_date = fields.Date(
        string="Last Visit",
        compute="_compute_sales_policy_visit_due",
        compute_sudo=True,
        help="The day of the last visit done to the customer.",
    )
    sales_policy_next_visit_due = fields.Date(
        string="Next Visit Due",
        compute="_compute_sales_policy_visit_due",
        compute_sudo=True,
        help="The customer must be visited by this day (last visit, or creation of the "
        "customer, plus the maximum days between visits of its class).",
    )
    sales_policy_visit_overdue = fields.Boolean(
        string="Overdue for a Visit",
        compute="_compute_sales_policy_visit_due",
        compute_sudo=True,
        search="_search_sales_policy_visit_overdue",
    )
    sales_policy_visit_count = fields.Integer(
        string="Visits", compute="_compute_sales_policy_visit_count"
    )

    # --- Chinese company data -------------------------------------------------------------
    sales_policy_uscc = fields.Char(
        string="Unified Social Credit Code",
        size=18,
        tracking=True,
        index="btree_not_null",
        help="统一社会信用代码: the company's 18-character registration and tax identifier "
        "(GB 32100-2015), printed on contracts.",
    )

    def _commercial_fields(self):
        return [
            *super()._commercial_fields(),
            "sales_policy_customer_class_id",
            "sales_policy_uscc",
        ]

    @api.constrains("sales_policy_uscc")
    def _check_sales_policy_uscc(self):
        for partner in self:
            if partner.sales_policy_uscc and not is_valid_uscc(partner.sales_policy_uscc):
                raise ValidationError(
                    self.env._(
                        "%(code)s is not a valid unified social credit code (统一社会信用代码): "
                        "it has 18 characters, digits and capital letters except I, O, S, V "
                        "and Z, the last one being the check character (GB 32100-2015).",
                        code=partner.sales_policy_uscc,
                    )
                )

    @api.depends(
        "commercial_partner_id.sales_policy_customer_class_id.max_days_between_visits",
        "commercial_partner_id.create_date",
    )
    def _compute_sales_policy_visit_due(self):
        commercial = self.commercial_partner_id
        last_visits = dict(
            self.env["sales.policy.visit"]._read_group(
                [("commercial_partner_id", "in", commercial.ids), ("state", "=", "done")],
                ["commercial_partner_id"],
                ["date_visited:max"],
            )
        )
        today = fields.Date.context_today(self)
        for partner in self:
            entity = partner.commercial_partner_id
            last_visit = last_visits.get(entity._origin)
            partner.sales_policy_last_visit_date = last_visit and last_visit.date()
            max_days = entity.sales_policy_customer_class_id.max_days_between_visits
            since = partner.sales_policy_last_visit_date or (
                entity.create_date and entity.create_date.date()
            )
            due = since + timedelta(days=max_days) if max_days and since else False
            partner.sales_policy_next_visit_due = due
            partner.sales_policy_visit_overdue = bool(due and due < today)

    def _search_sales_policy_visit_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        overdue = SQL(
            "SELECT overdue.res_id FROM (%s) overdue",
            self._sales_policy_visit_overdue_query(fields.Date.context_today(self)),
        )
        positive = (True in value) == (operator == "in")
        return Domain("id", "any!" if positive else "not any!", overdue)

    def _compute_sales_policy_visit_count(self):
        counts = dict(
            self.env["sales.policy.visit"]._read_group(
                [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.sales_policy_visit_count = counts.get(partner.commercial_partner_id._origin, 0)

    def action_sales_policy_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_visit_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_sales_policy_plan_visit(self):
        """Open a new visit to this customer, for its salesperson (or the user)."""
        self.ensure_one()
        entity = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan a Visit"),
            "res_model": "sales.policy.visit",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_partner_id": entity.id,
                "default_user_id": entity.user_id.id or self.env.uid,
            },
        }

    @api.model
    def _sales_policy_visit_overdue_query(self, on_day):
        """SQL selecting the customers overdue for a visit on ``on_day``.

        One statement for all customers: the last done visit of every customer comes
        from one grouped scan of the visits. Rows: ``res_id`` (commercial entity),
        ``user_id`` (its salesperson) and ``since``, the first day overdue: the last
        visit day (or the creation day of a customer never visited) plus the maximum
        days of its class, plus one. Classes without a maximum are never overdue.
        """
        self.env["sales.policy.visit"].flush_model(
            ["commercial_partner_id", "date_visited", "state"]
        )
        self.env["sales.policy.customer.class"].flush_model(["active", "max_days_between_visits"])
        self.flush_model(
            ["active", "commercial_partner_id", "sales_policy_customer_class_id", "user_id"]
        )
        return SQL(
            """
            SELECT partner.id AS res_id, partner.user_id,
                   COALESCE(visit.last_day, partner.create_date::date)
                   + class.max_days_between_visits + 1 AS since
              FROM res_partner partner
              JOIN sales_policy_customer_class class
                ON class.id = partner.sales_policy_customer_class_id
         LEFT JOIN (SELECT commercial_partner_id, MAX(date_visited)::date AS last_day
                      FROM sales_policy_visit
                     WHERE state = 'done'
                  GROUP BY commercial_partner_id) visit
                ON visit.commercial_partner_id = partner.id
             WHERE partner.active
               AND partner.id = partner.commercial_partner_id
               AND class.active
               AND class.max_days_between_visits > 0
               AND COALESCE(visit.last_day, partner.create_date::date)
                   + class.max_days_between_visits < %s
            """,
            fields.Date.to_date(on_day),
        )

    @api.model
    def _sales_policy_alert_visit_overdue(self, rule):
        """Alert rule ``visit_frequency``: customers counted from their first day
        overdue for a visit; the rule's filter and company apply. One query."""
        return rule._restrict_candidates(
            self._sales_policy_visit_overdue_query(rule._alert_cutoff("date"))
        )

    # --- Customer data: complete and current (篇四 §19.1, controls customer_data_*) ---
    sales_policy_data_date = fields.Date(
        string="Data Confirmed On",
        copy=False,
        help="The last day the customer's data was entered, updated or confirmed current "
        "(篇四 §19.1); for customers older than this addon, their last change. Older than "
        "the company's limit, the data is stale.",
    )
    sales_policy_completeness = fields.Integer(
        string="Data Completeness",
        compute="_compute_sales_policy_completeness",
        compute_sudo=True,
        help="Share of the required customer fields (Sales settings) that are filled, in "
        "percent (篇四 §19.1).",
    )
    sales_policy_missing_fields = fields.Char(
        string="Missing Data",
        compute="_compute_sales_policy_completeness",
        compute_sudo=True,
    )
    sales_policy_data_incomplete = fields.Boolean(
        string="Incomplete Data",
        compute="_compute_sales_policy_completeness",
        compute_sudo=True,
        search="_search_sales_policy_data_incomplete",
    )
    sales_policy_data_stale = fields.Boolean(
        string="Stale Data",
        compute="_compute_sales_policy_data_stale",
        compute_sudo=True,
        search="_search_sales_policy_data_stale",
        help="The data was not updated or confirmed for longer than the company's limit "
        "(篇四 §19.1).",
    )

    @api.model
    def _sales_policy_data_fields(self):
        """Fields whose change means the customer's data was updated."""
        names = {
            "name", "street", "street2", "zip", "city", "state_id", "country_id", "phone",
            "email", "website", "vat", "function", "category_id", "industry_id", "ref",
            "comment", "bank_ids", "child_ids",
        }  # fmt: skip
        names |= set(self.env.company.sudo().sales_policy_partner_field_ids.mapped("name"))
        return {name for name in names if name in self._fields}

    def _sales_policy_data_company(self):
        """The company whose settings apply to this customer's data."""
        self.ensure_one()
        return self.company_id or self.sudo().user_id.company_id or self.env.company

    @api.model
    def _sales_policy_required_fields(self, company):
        return [
            name
            for name in company.sudo().sales_policy_partner_field_ids.mapped("name")
            if name in self._fields
        ]

    @api.depends_context("company")
    @api.depends(
        "name", "street", "street2", "zip", "city", "state_id", "country_id", "phone",
        "email", "website", "vat", "function", "category_id", "industry_id", "ref",
        "comment", "company_id", "user_id",
    )  # fmt: skip
    def _compute_sales_policy_completeness(self):
        for partner in self:
            required = self._sales_policy_required_fields(partner._sales_policy_data_company())
            missing = [name for name in required if not partner[name]]
            partner.sales_policy_completeness = (
                round(100 * (len(required) - len(missing)) / len(required)) if required else 100
            )
            partner.sales_policy_missing_fields = ", ".join(
                self._fields[name]._description_string(self.env) for name in missing
            )
            partner.sales_policy_data_incomplete = bool(missing)

    @api.depends_context("company")
    @api.depends("sales_policy_data_date", "write_date", "company_id", "user_id")
    def _compute_sales_policy_data_stale(self):
        today = fields.Date.context_today(self)
        for partner in self:
            months = partner._sales_policy_data_company().sales_policy_stale_months
            since = partner.sales_policy_data_date or (
                partner.write_date and partner.write_date.date()
            )
            partner.sales_policy_data_stale = bool(
                months > 0 and since and since < today - relativedelta(months=months)
            )

    @api.model
    def _sales_policy_company_domain(self, company):
        """Partners whose data follows ``company``'s settings (see
        :meth:`_sales_policy_data_company`)."""
        shared = Domain("company_id", "=", False)
        by_salesperson = Domain("user_id", "any!", [("company_id", "=", company.id)])
        if company == self.env.company:
            by_salesperson |= Domain("user_id", "=", False)
        return Domain("company_id", "=", company.id) | (shared & by_salesperson)

    @api.model
    def _sales_policy_incomplete_domain(self):
        domains = []
        for company in self.env.companies:
            required = self._sales_policy_required_fields(company)
            if required:
                domains.append(
                    self._sales_policy_company_domain(company)
                    & Domain.OR(Domain(name, "=", False) for name in required)
                )
        return Domain.OR(domains)

    @api.model
    def _sales_policy_stale_domain(self):
        today = fields.Date.context_today(self)
        domains = []
        for company in self.env.companies:
            months = company.sudo().sales_policy_stale_months
            if months > 0:
                limit = today - relativedelta(months=months)
                domains.append(
                    self._sales_policy_company_domain(company)
                    & (
                        Domain("sales_policy_data_date", "<", limit)
                        | (
                            Domain("sales_policy_data_date", "=", False)
                            & Domain("write_date", "<", limit)
                        )
                    )
                )
        return Domain.OR(domains)

    def _search_sales_policy_data_incomplete(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = self._sales_policy_incomplete_domain()
        return domain if (True in value) == (operator == "in") else ~domain

    def _search_sales_policy_data_stale(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = self._sales_policy_stale_domain()
        return domain if (True in value) == (operator == "in") else ~domain

    @api.model
    def _sales_policy_customer_domain(self):
        """The customers whose data is watched: commercial entities that somebody sells
        to (a salesperson or a customer rank), not companies nor users."""
        company_partners = self.env["res.company"].sudo()._search([]).subselect("partner_id")
        return Domain("id", "not any!", company_partners) & Domain(
            [
                ("parent_id", "=", False),
                ("partner_share", "=", True),
                "|",
                ("customer_rank", ">", 0),
                ("user_id", "!=", False),
            ]
        )

    @api.model
    def _sales_policy_customer_data_env(self, rule, company_domain):
        """The partners of the customer-data rules: of the rule's company, else of
        every company with the setting (``company_domain``); None when there is none."""
        companies = rule.company_id or self.env["res.company"].sudo().search(company_domain)
        if not companies:
            return None
        return self.sudo().with_context(allowed_company_ids=companies.ids, active_test=True)

    @api.model
    def _sales_policy_alert_data_stale(self, rule):
        """Alert rule ``customer_data_stale``: customers counted from the first day
        their data is stale (confirmed longer ago than the months of the company whose
        settings apply, see :meth:`_sales_policy_data_company`). One query."""
        Partner = self._sales_policy_customer_data_env(
            rule, [("sales_policy_stale_months", ">", 0)]
        )
        if Partner is None:
            return rule._no_candidates()
        domain = Partner._sales_policy_customer_domain() & rule._get_record_domain()
        partners = Partner._search(domain & Partner._sales_policy_stale_domain())
        Partner.flush_model(["sales_policy_data_date", "write_date", "company_id", "user_id"])
        return SQL(
            """
            SELECT partner.id AS res_id, partner.user_id,
                   (COALESCE(partner.sales_policy_data_date, partner.write_date::date)
                    + make_interval(months => company.sales_policy_stale_months))::date
                   + 1 AS since
              FROM res_partner partner
         LEFT JOIN res_users salesperson ON salesperson.id = partner.user_id
              JOIN res_company company
                ON company.id = COALESCE(partner.company_id, salesperson.company_id, %s)
             WHERE partner.id IN %s
            """,
            Partner.env.company.id,
            partners.subselect(),
        )

    @api.model
    def _sales_policy_alert_data_incomplete(self, rule):
        """Alert rule ``customer_data_incomplete``: customers missing a required field
        (settings of their company), counted from their creation. One query."""
        Partner = self._sales_policy_customer_data_env(
            rule, [("sales_policy_partner_field_ids", "!=", False)]
        )
        if Partner is None:
            return rule._no_candidates()
        domain = (
            Partner._sales_policy_customer_domain()
            & rule._get_record_domain()
            & Partner._sales_policy_incomplete_domain()
            & Domain("create_date", "<=", rule._alert_cutoff())
        )
        query = Partner._search(domain)
        Partner.flush_model(["user_id", "create_date"])
        return query.select(
            SQL("res_partner.id AS res_id"),
            SQL("res_partner.user_id"),
            SQL("res_partner.create_date AS since"),
        )

    def action_sales_policy_data_current(self):
        """The salesperson checked the customer's data: it is current (篇四 §19.1)."""
        self.check_access("write")
        missing = self.filtered("sales_policy_data_incomplete")
        if missing:
            raise UserError(
                self.env._(
                    "Complete the data of %(customers)s before confirming it is current; "
                    "missing: %(fields)s (%(article)s).",
                    customers=", ".join(missing.mapped("display_name")),
                    fields=missing[0].sales_policy_missing_fields,
                    article=self.env["sales.policy.control"]._cite("customer_data_required"),
                )
            )
        self.write({"sales_policy_data_date": fields.Date.context_today(self)})
        return True

    def _sales_policy_check_required(self, field_names=None):
        """Gate (篇四 §19.1): with "Enforce Required Customer Fields", salespeople do not
        save a customer without the required fields (new customers: all of them; on
        edit: the required fields being written)."""
        user = self.env.user
        if self.env.su or not self._sales_policy_is_restricted_user(user):
            return
        for partner in self.filtered(lambda p: not p.parent_id):
            company = partner._sales_policy_data_company()
            if not company.sudo().sales_policy_partner_required_enforce:
                continue
            required = self._sales_policy_required_fields(company)
            if field_names is not None:
                required = [name for name in required if name in field_names]
            missing = [name for name in required if not partner[name]]
            if missing:
                raise ValidationError(
                    self.env._(
                        "The customer %(customer)s misses required data: %(fields)s (%(article)s).",
                        customer=partner.display_name,
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in missing
                        ),
                        article=self.env["sales.policy.control"]._cite("customer_data_required"),
                    )
                )

    def write(self, vals):
        if "sales_policy_data_date" not in vals and self._sales_policy_data_fields() & set(vals):
            vals = dict(vals, sales_policy_data_date=fields.Date.context_today(self))
        res = super().write(vals)
        self._sales_policy_check_required(set(vals))
        if {"name", "vat", *self._address_fields()} & set(vals):
            # what contracts show of their buyer and delivery address (篇四 §13)
            self.env["sales.policy.contract"]._sales_policy_partners_changed(self)
        return res

    @api.model_create_multi
    def create(self, vals_list):
        # A customer created by a sales rep is that rep's customer: without this the
        # rep could not see it again once it becomes a customer (confidentiality rules).
        if self.env.user.has_group("sales_policy.group_sales_rep") and not self.env.su:
            for vals in vals_list:
                if not vals.get("parent_id") and "user_id" not in vals:
                    vals["user_id"] = self.env.uid
        today = fields.Date.context_today(self)
        for vals in vals_list:
            vals.setdefault("sales_policy_data_date", today)
        partners = super().create(vals_list)
        partners._sales_policy_check_required()
        return partners

    #: Context keys that make a partner's display name show its details.
    _SALES_POLICY_DETAIL_KEYS = ("show_address", "show_email", "show_vat", "partner_show_db_id")

    def _compute_display_name(self):
        """A document shows its customer's name as superuser (Odoo reads a many2one's
        name that way); asked for the customer's details (address, e-mail, tax ID)
        by a user who may not read that customer, it shows the name only (篇一 §15.2)."""
        context = self.env.context
        if not (
            self.env.su
            and any(context.get(key) for key in self._SALES_POLICY_DETAIL_KEYS)
            and self._sales_policy_is_restricted_user(self.env.user)
        ):
            return super()._compute_display_name()
        as_user = self.with_env(self.env(su=False))
        hidden = self - self.browse(as_user._origin._filtered_access("read").ids)
        super(ResPartner, self - hidden)._compute_display_name()
        plain = hidden.with_context(**dict.fromkeys(self._SALES_POLICY_DETAIL_KEYS, False))
        for partner, name in zip(hidden, plain.mapped("display_name"), strict=True):
            partner.display_name = name
        return None

    def export_data(self, fields_to_export):
        self._sales_policy_check_export()
        result = super().export_data(fields_to_export)
        self.env["sales.policy.export.log"]._sales_policy_log(self, fields_to_export)
        return result

    def _sales_policy_check_export(self):
        """Only authorised roles export customer data; others get a clear error."""
        user = self.env.user
        if self.env.su or not self._sales_policy_is_restricted_user(user):
            return
        if any(user.has_group(group) for group in self._SALES_POLICY_EXPORT_GROUPS):
            return
        raise UserError(
            self.env._(
                "Customer data is confidential (%(article)s): only the sales director and "
                "finance may export it.",
                article=self.env["sales.policy.control"]._cite("customer_confidentiality"),
            )
        )

    @api.model
    def _sales_policy_is_restricted_user(self, user):
        """Users holding a sales-policy role fall under its confidentiality rules."""
        return any(
            user.has_group(group)
            for group in (
                "sales_policy.group_sales_rep",
                "sales_policy.group_sales_assistant",
                "sales_policy.group_presales",
                "sales_policy.group_legal",
                "sales_policy.group_contract_admin",
                "sales_policy.group_finance",
            )
        )
