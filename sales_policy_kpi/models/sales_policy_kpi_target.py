from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

LEVELS = [
    ("company", "Company"),
    ("region", "Region"),
    ("team", "Team"),
    ("salesperson", "Salesperson"),
]
#: The level each level is split into.
CHILD_LEVEL = {"company": "region", "region": "team", "team": "salesperson"}


class SalesPolicyKpiTarget(models.Model):
    """A sales target (销售目标) for one period at one level of the hierarchy.

    The director sets the company's target, regional managers split their region's
    into team targets, supervisors their team's into salesperson targets (篇四 §5.1,
    §6.1, §8.1); optionally per product category (product line, 篇二 §6.1). A target
    shows how much of it is split to the level below (allocated / unallocated) and
    the actual sales amount of its scope, live. The salesperson targets are what the
    appraisal's sales amount achievement is measured against.
    """

    _name = "sales.policy.kpi.target"
    _description = "Sales Target"
    _inherit = ["mail.thread", "sales.policy.kpi.period.mixin"]
    _order = "date_from desc, period_type, level, region_id, team_id, user_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    level = fields.Selection(LEVELS, required=True, default="salesperson", tracking=True)
    region_id = fields.Many2one(
        "sales.policy.region",
        string="Sales Region",
        compute="_compute_region_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        help="Leave empty for a target over all products; set it for a product line target.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Target",
        required=True,
        tracking=True,
        help="Sales amount to reach in the period: untaxed, invoiced, net of credit notes, "
        "in company currency (the definition of the Sales Amount indicator).",
    )
    allocated_amount = fields.Monetary(
        string="Allocated",
        compute="_compute_allocation",
        help="Sum of the targets of the level below (same period and product category): "
        "regions of the company, teams of the region, salespeople of the team.",
    )
    unallocated_amount = fields.Monetary(string="Unallocated", compute="_compute_allocation")
    allocation_state = fields.Selection(
        [
            ("none", "Not Split"),
            ("partial", "Partly Split"),
            ("balanced", "Fully Split"),
            ("over", "Over-allocated"),
        ],
        string="Split",
        compute="_compute_allocation",
        help="Whether the targets of the level below add up to this target.",
    )
    actual_amount = fields.Monetary(
        string="Actual",
        compute="_compute_actual",
        help="Sales amount of the scope in the period, live: the salesperson's; for a team "
        "or a region, the sum of its current members'; for the company, all its sales.",
    )
    achievement = fields.Float(string="Achievement (%)", compute="_compute_actual", digits=(16, 1))
    note = fields.Text()

    @api.depends("level", "region_id", "team_id", "user_id", "categ_id", "period_name")
    def _compute_name(self):
        for target in self:
            scope = {
                "company": target.company_id.name,
                "region": target.region_id.name,
                "team": target.team_id.name,
                "salesperson": target.user_id.name,
            }.get(target.level)
            parts = [target.period_name, scope, target.categ_id.name]
            target.name = " / ".join(part for part in parts if part)

    @api.depends("level", "user_id")
    def _compute_team_id(self):
        members = self.env["crm.team.member"].search(
            [("user_id", "in", self.filtered(lambda t: t.level == "salesperson").user_id.ids)]
        )
        team_by_user = {member.user_id: member.crm_team_id for member in members}
        for target in self:
            if target.level in ("company", "region"):
                target.team_id = False
            elif target.level == "salesperson" and target.user_id:
                target.team_id = team_by_user.get(target.user_id) or target.team_id

    @api.depends("level", "team_id")
    def _compute_region_id(self):
        for target in self:
            if target.level == "company":
                target.region_id = False
            elif target.level in ("team", "salesperson") and target.team_id:
                target.region_id = target.team_id.region_id

    def _allocation_key(self, level):
        """The key of the scope a target of ``level`` splits into (its children's key)."""
        scope = {
            "company": False,
            "region": self.region_id.id,
            "team": self.team_id.id,
        }[level]
        return (
            level,
            self.company_id.id,
            scope,
            self.period_type,
            self.date_from,
            self.categ_id.id,
        )

    @api.depends("amount", "level", "region_id", "team_id", "period_type", "date_from", "categ_id")
    def _compute_allocation(self):
        parents = self.filtered(lambda t: t.id and t.level in CHILD_LEVEL)
        sums = defaultdict(float)
        if parents:
            groups = self.sudo()._read_group(
                [
                    ("company_id", "in", parents.company_id.ids),
                    ("level", "in", [CHILD_LEVEL[level] for level in set(parents.mapped("level"))]),
                    ("date_from", "in", list(set(parents.mapped("date_from")))),
                ],
                [
                    "level",
                    "company_id",
                    "region_id",
                    "team_id",
                    "period_type",
                    "date_from:day",
                    "categ_id",
                ],
                ["amount:sum"],
            )
            parent_level = {child: parent for parent, child in CHILD_LEVEL.items()}
            for level, company, region, team, period_type, date_from, categ, amount in groups:
                parent = parent_level[level]
                scope = {"company": False, "region": region.id, "team": team.id}[parent]
                sums[parent, company.id, scope, period_type, date_from, categ.id] += amount
        for target in self:
            if target not in parents:
                target.allocated_amount = target.unallocated_amount = 0.0
                target.allocation_state = False
                continue
            allocated = sums.get(target._allocation_key(target.level), 0.0)
            target.allocated_amount = allocated
            target.unallocated_amount = target.amount - allocated
            rounding = target.currency_id
            if not allocated:
                target.allocation_state = "none"
            elif rounding.compare_amounts(allocated, target.amount) > 0:
                target.allocation_state = "over"
            elif rounding.compare_amounts(allocated, target.amount) == 0:
                target.allocation_state = "balanced"
            else:
                target.allocation_state = "partial"

    @api.depends("amount", "level", "user_id", "team_id", "region_id", "date_from", "categ_id")
    def _compute_actual(self):
        Indicator = self.env["sales.policy.kpi.indicator"]
        batches = defaultdict(lambda: self.browse())
        for target in self:
            batches[target.company_id, target.date_from, target.date_to, target.categ_id] |= target
        for (company, date_from, date_to, categ), targets in batches.items():
            if not date_from:
                targets.actual_amount = targets.achievement = 0.0
                continue
            sales = (
                Indicator.sudo()
                .with_company(company)
                ._kpi_sales_amount(date_from, date_to, None, categ)
            )
            users_by_team, users_by_region = self._scope_users(targets)
            for target in targets:
                if target.level == "company":
                    actual = sum(sales.values())
                else:
                    users = {
                        "salesperson": target.user_id.ids,
                        "team": users_by_team.get(target.team_id.id, ()),
                        "region": users_by_region.get(target.region_id.id, ()),
                    }[target.level]
                    actual = sum(sales.get(user_id, 0.0) for user_id in set(users))
                target.actual_amount = actual
                target.achievement = actual * 100.0 / target.amount if target.amount else 0.0

    def _scope_users(self, targets):
        """Current members and leaders of the teams and regions of ``targets`` (one search)."""
        teams = (
            self.env["crm.team"]
            .sudo()
            .search(
                [
                    "|",
                    ("id", "in", targets.team_id.ids),
                    (
                        "region_id",
                        "in",
                        targets.filtered(lambda t: t.level == "region").region_id.ids,
                    ),
                ]
            )
        )
        by_team = {}
        by_region = defaultdict(list)
        for team in teams:
            users = (team.user_id | team.member_ids).ids
            by_team[team.id] = users
            by_region[team.region_id.id].extend(users)
        return by_team, by_region

    @api.constrains("amount")
    def _check_amount(self):
        for target in self:
            if target.amount < 0:
                raise ValidationError(
                    self.env._(
                        "The target %(target)s is negative (%(amount)s): a sales target is "
                        "an amount to reach, zero or more.",
                        target=target.display_name,
                        amount=target.amount,
                    )
                )

    @api.constrains("level", "region_id", "team_id", "user_id")
    def _check_scope(self):
        for target in self:
            missing = {
                "region": not target.region_id,
                "team": not target.team_id,
                "salesperson": not target.user_id or not target.team_id,
            }.get(target.level)
            if missing:
                raise ValidationError(
                    self.env._(
                        "A %(level)s target needs its %(scope)s.",
                        level=dict(self._fields["level"]._description_selection(self.env))[
                            target.level
                        ],
                        scope={
                            "region": self.env._("sales region"),
                            "team": self.env._("sales team"),
                            "salesperson": self.env._("salesperson and sales team"),
                        }[target.level],
                    )
                )

    @api.constrains(
        "level",
        "company_id",
        "region_id",
        "team_id",
        "user_id",
        "categ_id",
        "period_type",
        "year",
        "quarter",
        "month",
        "date_from",
        "date_to",
    )
    def _check_overlap(self):
        """One target per scope, product category and period type at a time (a yearly
        and a quarterly target of the same scope may coexist: the plan broken down)."""
        candidates = self.sudo().search(
            [
                ("company_id", "in", self.company_id.ids),
                ("level", "in", list(set(self.mapped("level")))),
                ("date_from", "<=", max(self.mapped("date_to"))),
                ("date_to", ">=", min(self.mapped("date_from"))),
            ]
        )
        for target in self:
            for other in candidates:
                if (
                    other != target
                    and other._scope_key() == target._scope_key()
                    and other.date_from <= target.date_to
                    and other.date_to >= target.date_from
                ):
                    raise ValidationError(
                        self.env._(
                            "The target %(target)s (%(date_from)s – %(date_to)s) overlaps "
                            "the target %(other)s (%(other_from)s – %(other_to)s) of the same "
                            "scope: change its period or edit the existing target.",
                            target=target.display_name,
                            date_from=target.date_from,
                            date_to=target.date_to,
                            other=other.display_name,
                            other_from=other.date_from,
                            other_to=other.date_to,
                        )
                    )

    def _scope_key(self):
        scope = {
            "company": False,
            "region": self.region_id.id,
            "team": self.team_id.id,
            "salesperson": self.user_id.id,
        }[self.level]
        return (self.company_id.id, self.level, scope, self.categ_id.id, self.period_type)
