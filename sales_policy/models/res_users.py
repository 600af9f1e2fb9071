from odoo import api, fields, models

#: The levels of the sales hierarchy, nearest first, with the group that stands in
#: for a level when the salesperson's chain has nobody there (approval fallback).
HIERARCHY_LEVELS = (
    ("supervisor", "sales_policy.group_sales_supervisor"),
    ("regional_manager", "sales_policy.group_regional_manager"),
    ("director", "sales_policy.group_sales_director"),
)

#: Visibility scopes, narrowest first. A user's scope is the widest one of their roles.
SCOPES = ("own", "team", "region", "all")


class ResUsers(models.Model):
    """The sales hierarchy API.

    The hierarchy is read from Odoo's own sales teams:

    * a **team** (``crm.team``): its leader (``user_id``) is the supervisor (销售主管)
      of its members (the sales reps);
    * a **region** (``sales.policy.region``): its manager is the regional sales
      manager (区域销售经理) of every team of the region;
    * the **company**: its sales director (销售总监) is above every region.

    Everything that needs the hierarchy (record rules, approval routing, escalation,
    appraisal scoping) calls the methods below; nothing else walks teams by hand.

    * :meth:`_sales_policy_superiors` — "who are this salesperson's superiors,
      level by level";
    * :meth:`_sales_policy_scope` and :meth:`_sales_policy_scope_users` — "whose
      documents may this user see";
    * :meth:`_sales_policy_hierarchy_changed` — call after changing the hierarchy
      outside the models of this addon (it refreshes the record-rule cache).
    """

    _inherit = "res.users"

    sales_policy_team_user_ids = fields.Many2many(
        "res.users",
        string="Users of My Teams",
        compute="_compute_sales_policy_scope_user_ids",
        compute_sudo=True,
        help="The user and the members of the sales teams the user leads "
        "(for a sales assistant: of the teams the assistant belongs to).",
    )
    sales_policy_region_user_ids = fields.Many2many(
        "res.users",
        string="Users of My Regions",
        compute="_compute_sales_policy_scope_user_ids",
        compute_sudo=True,
        help="The user, and the leaders and members of the teams of the regions the user manages.",
    )

    def _compute_sales_policy_scope_user_ids(self):
        Team = self.env["crm.team"].sudo()
        led_teams = Team.search([("user_id", "in", self.ids)])
        regions = self.env["sales.policy.region"].sudo().search([("manager_id", "in", self.ids)])
        region_teams = Team.search([("region_id", "in", regions.ids)])
        for user in self:
            teams = led_teams.filtered(lambda t, u=user: t.user_id == u)
            if user.has_group("sales_policy.group_sales_assistant"):
                # an assistant works for the teams they are a member of
                teams |= user.crm_team_ids
            user.sales_policy_team_user_ids = user | teams.user_id | teams.member_ids
            managed = region_teams.filtered(lambda t, u=user: t.region_id.manager_id == u)
            user.sales_policy_region_user_ids = user | managed.user_id | managed.member_ids

    # ------------------------------------------------------------------------------
    # Hierarchy API
    # ------------------------------------------------------------------------------
    def _sales_policy_working_for(self, company, exclude=None):
        """The users of ``self`` who can act in ``company``: active, internal, with
        access to the company, other than ``exclude``; by id (a stable first pick)."""
        exclude = exclude or self.browse()
        return self.filtered(
            lambda user: (
                user.active
                and not user.share
                and company in user.company_ids
                and user not in exclude
            )
        ).sorted("id")

    def _sales_policy_team(self):
        """The user's sales team: the team they belong to, else the team they lead."""
        self.ensure_one()
        user = self.sudo()
        if user.sale_team_id:
            return user.sale_team_id
        return self.env["crm.team"].sudo().search([("user_id", "=", user.id)], limit=1)

    def _sales_policy_region(self):
        """The user's region: their team's region, else the region they manage."""
        self.ensure_one()
        region = self._sales_policy_team().region_id
        if not region:
            region = (
                self.env["sales.policy.region"]
                .sudo()
                .search([("manager_id", "=", self.id)], limit=1)
            )
        return region

    def _sales_policy_superiors(self):
        """Return this salesperson's superiors, nearest level first.

        :returns: a list of ``(level, user)`` pairs, one per level of
            :data:`HIERARCHY_LEVELS` (``supervisor``, ``regional_manager``,
            ``director``). ``user`` is an empty recordset where the chain has a gap
            at that level, and never the salesperson themself: a supervisor has no
            supervisor above them, a regional manager no regional manager.
        """
        self.ensure_one()
        team = self._sales_policy_team()
        region = self._sales_policy_region()
        company = self.company_id.sudo()
        chain = {
            "supervisor": team.user_id,
            "regional_manager": region.manager_id,
            "director": company.sales_policy_director_id,
        }
        Users = self.env["res.users"]
        result = []
        for level, _group in HIERARCHY_LEVELS:
            user = chain[level]
            result.append((level, Users.browse(user.id) if user and user != self else Users))
        return result

    def _sales_policy_scope(self):
        """The widest visibility scope of the user's roles: own, team, region or all."""
        self.ensure_one()
        if any(
            self.has_group(group)
            for group in (
                "sales_team.group_sale_salesman_all_leads",
                "sales_policy.group_sales_director",
            )
        ):
            return "all"
        if self.has_group("sales_policy.group_regional_manager"):
            return "region"
        if self.has_group("sales_policy.group_sales_supervisor") or self.has_group(
            "sales_policy.group_sales_assistant"
        ):
            return "team"
        return "own"

    def _sales_policy_scope_users(self):
        """The users whose documents this user sees through the sales hierarchy.

        For the ``all`` scope: every internal user of the user's companies.
        """
        self.ensure_one()
        scope = self._sales_policy_scope()
        if scope == "all":
            return (
                self.env["res.users"]
                .sudo()
                .search([("share", "=", False), ("company_ids", "in", self.company_ids.ids)])
            )
        if scope == "region":
            return self.sales_policy_region_user_ids
        if scope == "team":
            return self.sales_policy_team_user_ids
        return self

    @api.model
    def _sales_policy_hierarchy_changed(self):
        """The hierarchy moved: record rules that depend on it must be re-evaluated."""
        self.env.registry.clear_cache()
        self.env["res.users"].invalidate_model(
            ["sales_policy_team_user_ids", "sales_policy_region_user_ids"]
        )
