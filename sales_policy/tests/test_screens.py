"""Every screen opens for every role, the way the web client opens it.

For each role of the hierarchy (real users of :class:`SalesPolicyFixtures`), walk every
menu the user sees under the Sales, Invoicing, Expenses and CRM apps, load each window
action as the web client does (``get_views``, then ``web_search_read`` with the list,
kanban and calendar field specifications, ``web_read`` of records with the form's
specification, ``formatted_read_group`` for pivot and graph) on the records of the
role's scope. Any error is collected and reported at once, per role and menu.
"""

import datetime
import os
import traceback

from lxml import etree

from odoo.fields import Domain
from odoo.tests import tagged
from odoo.tools import safe_eval as safe

from .common import SalesPolicyCommon

safe_eval = safe.safe_eval

APP_ROOTS = (
    "sale.sale_menu_root",
    "account.menu_finance",
    "hr_expense.menu_hr_expense_root",
    "crm.crm_menu_root",
)
OUR_ADDONS = ("sales_policy", "sales_policy_risk", "sales_policy_kpi")
RECORD_VIEWS = ("list", "kanban", "calendar")
# x2many widgets that only show names: the web client reads display_name only.
TAG_WIDGETS = ("many2many_tags", "many2many_checkboxes", "many2many_avatar_user")


def _eval_context(user):
    today = datetime.date.today()
    return {
        "uid": user.id,
        "user": user,
        "context_today": lambda: today,
        "datetime": safe.datetime,
        "relativedelta": safe.dateutil.relativedelta.relativedelta,
        "time": safe.time,
        "allowed_company_ids": user.company_ids.ids,
        "current_company_id": user.company_id.id,
        "active_id": False,
        "active_ids": [],
        "active_model": False,
    }


@tagged("post_install", "-at_install")
class TestScreens(SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Real documents in every scope: posted invoices (Invoices to Collect), and
        # leads and quotations already exist per rep.
        for invoice in cls.invoices.values():
            invoice.invoice_date_due = datetime.date.today() - datetime.timedelta(days=40)
            invoice.action_post()
        cls.roles = cls._role_users()
        cls._setup_employees(cls.roles.values())

    # --- menus --------------------------------------------------------------------------
    def _visible_menus(self, user):
        """{menu id: menu dict} of the menus ``user`` sees under the walked apps."""
        menus = self.env["ir.ui.menu"].with_user(user).load_web_menus(debug=False)
        roots = [self.env.ref(xmlid, raise_if_not_found=False) for xmlid in APP_ROOTS]
        found = {}
        todo = [root.id for root in roots if root and root.id in menus]
        while todo:
            menu = menus[todo.pop()]
            found[menu["id"]] = menu
            todo.extend(menu["children"])
        return found

    @staticmethod
    def _is_ours(menu):
        return menu["xmlid"].split(".")[0] in OUR_ADDONS

    def _action_dict(self, user, menu):
        """The action a menu opens, as a dict, run as ``user`` for server actions."""
        action = self.env[menu["actionModel"]].browse(menu["actionID"])
        if action._name == "ir.actions.server":
            return action.with_user(user).run() or {}
        return action.sudo()._get_action_dict() if action._name == "ir.actions.act_window" else {}

    # --- field specifications, as the web client builds them -----------------------------
    def _spec(self, node, fields_info, model, depth=0):
        spec = {}
        level = len(node.xpath("ancestor-or-self::field"))
        for field_node in node.xpath(f".//field[count(ancestor::field) = {level}]"):
            name = field_node.get("name")
            info = fields_info.get(name)
            if not info:
                continue
            if info["type"] == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif info["type"] in ("one2many", "many2many"):
                spec[name] = self._x2many_spec(field_node, info, model, depth)
            else:
                spec[name] = {}
        return spec

    def _x2many_spec(self, node, info, model, depth):
        """Tags read names; a field with its own list or kanban reads that view's
        fields; any other x2many only its ids (the client loads the rest on display)."""
        if node.get("widget") in TAG_WIDGETS:
            return {"fields": {"display_name": {}}}
        subview = node.xpath("./list | ./kanban")
        if not subview or depth:
            return {}
        comodel = model.env[info["relation"]]
        fields_info = comodel.fields_get(attributes=["type", "relation"])
        return {"fields": self._spec(subview[0], fields_info, comodel, 1), "limit": 40}

    # --- one action --------------------------------------------------------------------
    def _open(self, user, action):
        ctx = action.get("context") or {}
        if isinstance(ctx, str):
            ctx = safe_eval(ctx, _eval_context(user))
        model = self.env[action["res_model"]].with_user(user).with_context(**ctx)
        domain = action.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval(domain, _eval_context(user))
        views = [(view_id, view_type) for view_id, view_type in action["views"]]
        search_view = action.get("search_view_id")
        search_view_id = search_view[0] if isinstance(search_view, (list, tuple)) else search_view
        result = model.get_views(
            [*views, (search_view_id or False, "search")],
            {"toolbar": True, "load_filters": True, "action_id": action.get("id")},
        )
        domain = Domain(domain) & self._default_filters(
            user, ctx, result["views"]["search"]["arch"]
        )
        fields_info = result["models"][model._name]["fields"]
        record_ids = []
        for view_type, view in result["views"].items():
            arch = etree.fromstring(view["arch"])
            if view_type in RECORD_VIEWS:
                spec = self._spec(arch, fields_info, model, 1)
                found = model.web_search_read(list(domain), spec, limit=80)
                record_ids = record_ids or [rec["id"] for rec in found["records"]]
            elif view_type in ("pivot", "graph"):
                self._read_group(model, domain, arch, fields_info)
        if "form" in result["views"]:
            arch = etree.fromstring(result["views"]["form"]["arch"])
            spec = self._spec(arch, fields_info, model)
            ids = record_ids[:2] or ([action["res_id"]] if action.get("res_id") else [])
            for record in model.browse(ids):
                record.web_read(spec)
                self.forms_read += 1
            if not ids and model.has_access("create"):
                model.onchange({}, [], spec)

    def _default_filters(self, user, ctx, search_arch):
        """The domain of the search filters the action's context turns on."""
        arch = etree.fromstring(search_arch)
        domains = []
        for key, value in ctx.items():
            if not (key.startswith("search_default_") and value):
                continue
            for node in arch.xpath(f"//filter[@name='{key[15:]}'][@domain]"):
                domains.append(Domain(safe_eval(node.get("domain"), _eval_context(user))))
        return Domain.AND(domains) if domains else Domain.TRUE

    def _read_group(self, model, domain, arch, fields_info):
        groupby, aggregates = [], ["__count"]
        for node in arch.xpath("//field"):
            name, kind = node.get("name"), node.get("type")
            if kind == "measure" and name != "__count":
                aggregates.append(f"{name}:{fields_info[name].get('aggregator') or 'sum'}")
            elif kind in ("row", "col") or (arch.tag == "graph" and not kind):
                if fields_info.get(name, {}).get("type") in ("date", "datetime"):
                    name = f"{name}:{node.get('interval') or 'month'}"
                groupby.append(name)
        model.formatted_read_group(list(domain), groupby[:2], aggregates)

    # --- the tests ---------------------------------------------------------------------
    def test_every_screen_opens_for_every_role(self):
        errors = []
        for role, user in self.roles.items():
            self.forms_read = 0
            for menu in self._visible_menus(user).values():
                if not menu["actionID"] or menu["appID"] == menu["id"]:
                    continue
                try:
                    with self.env.cr.savepoint():
                        action = self._action_dict(user, menu)
                        if action.get("type") == "ir.actions.act_window":
                            self._open(user, action)
                except Exception as error:  # collect them all, report them at once
                    first_line = str(error).splitlines()[0][:300]
                    errors.append(f"{role}: {menu['xmlid'] or menu['name']}: {first_line}")
                    if os.environ.get("SP_SCREENS_DEBUG"):
                        errors.append(traceback.format_exc()[-3000:])
            # the walk opened real documents of the role's scope, not empty lists
            self.assertGreaterEqual(self.forms_read, 5, role)
        self.assertFalse(errors, "\n".join(errors))

    def test_our_menus_open_for_whoever_sees_them(self):
        """A menu of ours shown to a role leads to a model that role may read."""
        errors = []
        for role, user in self.roles.items():
            for menu in self._visible_menus(user).values():
                if not (self._is_ours(menu) and menu["actionModel"]):
                    continue
                action = self.env[menu["actionModel"]].browse(menu["actionID"])
                groups = action.group_ids if "group_ids" in action._fields else action.browse()
                if groups and not (groups & user.all_group_ids):
                    errors.append(f"{role}: {menu['xmlid']}: the action is not for this role")
                dashboard_id = action._name == "ir.actions.client" and (action.params or {}).get(
                    "dashboard_id"
                )
                if dashboard_id:  # a spreadsheet dashboard: the role must be able to read it
                    dashboard = self.env["spreadsheet.dashboard"].with_user(user)
                    if not dashboard.search([("id", "=", dashboard_id)]):
                        errors.append(f"{role}: {menu['xmlid']}: the dashboard is not theirs")
                res_model = action._name == "ir.actions.act_window" and action.res_model
                if res_model and not self.env[res_model].with_user(user).has_access("read"):
                    errors.append(f"{role}: {menu['xmlid']}: no read access to {res_model}")
        self.assertFalse(errors, "\n".join(errors))

    def test_sales_opens_on_my_quotations_for_reps(self):
        menus = self.env["ir.ui.menu"].with_user(self.rep_n1a).load_web_menus(debug=False)
        sales = menus[self.env.ref("sale.sale_menu_root").id]
        self.assertEqual(
            sales["actionID"], self.env.ref("sale.action_quotations_with_onboarding").id
        )

    def test_payments_follow_the_invoice_scope(self):
        """The invoice form shows its payments: a rep reads those of their own invoices,
        a supervisor those of the team, never another team's."""
        payments = {}
        for rep in (self.rep_n1a, self.rep_n1b, self.rep_s1):
            register = self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=self.invoices[rep].ids
            )
            payments[rep] = register.create({})._create_payments()
        Payment = self.env["account.payment"]
        all_ids = [("id", "in", [p.id for p in payments.values()])]
        self.assertEqual(Payment.with_user(self.rep_n1a).search(all_ids), payments[self.rep_n1a])
        self.assertEqual(
            Payment.with_user(self.sup_n1).search(all_ids),
            payments[self.rep_n1a] | payments[self.rep_n1b],
        )
        self.assertEqual(len(Payment.with_user(self.director).search(all_ids)), 3)
        self.assertEqual(len(Payment.with_user(self.finance).search(all_ids)), 3)
