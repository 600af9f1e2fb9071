import contextlib
import json
from collections import defaultdict

from odoo import Command, api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

#: The longest text a user may write (characters): Char fields without a ``size`` of
#: their own, and Text / Html fields, of the models whose input is checked.
CHAR_MAX_LENGTH = 1000
TEXT_MAX_LENGTH = 50000
#: HTML holds documents: a contract's terms with the products table of a 500-line order
#: are about 300,000 characters
HTML_MAX_LENGTH = 2_000_000
#: Field types whose values the ORM converts: a value it cannot convert is refused first.
CONVERTED_TYPES = ("integer", "float", "monetary", "date", "datetime", "selection")


def _array_literal(values):
    """``values`` as ONE PostgreSQL array literal (``'{1,NULL,"a b"}'``), to cast to
    the column's array type: a list parameter becomes ``ARRAY[…]`` with one
    expression per element, which PostgreSQL parses and coerces one by one (seconds
    for 50,000 rows × 20 columns); a literal is read by the type's own input function."""
    elements = ("NULL" if value is None else _quote_element(str(value)) for value in values)
    return "{" + ",".join(elements) + "}"


def _quote_element(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


class Base(models.AbstractModel):
    """What a user sends is checked before any code reads it (#10, bad input and
    customer confidentiality), on every path: create, write, import (which creates and
    writes) and onchange, for the models of :meth:`_sales_policy_checks_input`:

    * each value has the field's type (``'abc'`` is no quantity, ``'yesterday'`` no
      date), with a translated message naming the field instead of a Python error;
    * a many2one names a record that exists (the message names the field and the id);
    * free text stays under :data:`CHAR_MAX_LENGTH` / :data:`TEXT_MAX_LENGTH` /
      :data:`HTML_MAX_LENGTH`;
    * a customer a user may not read (outside their scope, 篇一 §15.2) is referenced
      on no document: creating or changing a document, or asking the form what it
      would show (onchange), with such a customer is refused. Fields computed from a
      customer (e-mail, phone, address…) are computed as superuser, so this is the
      only place that keeps them from revealing a customer the user cannot read.

    Superuser code (the workflow) is not checked.
    """

    _inherit = "base"

    #: Models whose own ``create`` / ``write`` read the values before the ORM does
    #: (sale.order, sale.order.line, crm.lead): they call
    #: :meth:`_sales_policy_check_input` first thing, this layer leaves them alone.
    _sales_policy_check_input_first = False

    @api.model
    def _sales_policy_checks_input(self):
        """Hook: whether create, write and onchange of this model check the values
        sent. Our addons' models; sale.order, sale.order.line and crm.lead too."""
        return self._name.startswith("sales.policy.")

    @api.model_create_multi
    def create(self, vals_list):
        if self._sales_policy_checks_input() and not self._sales_policy_check_input_first:
            self._sales_policy_check_input(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        if self._sales_policy_checks_input() and not self._sales_policy_check_input_first:
            self._sales_policy_check_input([vals])
        return super().write(vals)

    def onchange(self, values, field_names, fields_spec):
        if self._sales_policy_checks_input() and not self.env.su:
            self._sales_policy_check_customers(self._sales_policy_onchange_partners(values))
        return super().onchange(values, field_names, fields_spec)

    # ------------------------------------------------------------------------------
    # The checks
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_check_input(self, vals_list, create=False):
        """Refuse values of the wrong type or length, many2one ids of records that do
        not exist and customers out of the user's scope (one query per comodel); on
        ``create``, the many2one defaults of the context too."""
        if self.env.su:
            return
        self._sales_policy_check_values(vals_list)
        references = defaultdict(dict)  # comodel -> {id: field}
        for vals in vals_list:
            for fname, value in vals.items():
                field = self._fields.get(fname)
                for record_id in self._sales_policy_referenced_ids(field, value) if field else ():
                    references[field.comodel_name].setdefault(record_id, field)
        for key, default in self.env.context.items() if create else ():
            # the defaults sent in the context name records too
            field = self._fields.get(key[8:]) if key.startswith("default_") else None
            if field and field.type == "many2one" and isinstance(default, int) and default > 0:
                if not all(field.name in vals for vals in vals_list):
                    references[field.comodel_name].setdefault(default, field)
        for comodel, fields_by_id in references.items():
            found = set(self.env[comodel].sudo().browse(list(fields_by_id)).exists().ids)
            for record_id, field in fields_by_id.items():
                if record_id not in found:
                    raise ValidationError(
                        self.env._(
                            "%(field)s: there is no %(model)s with the id %(id)s (it does not "
                            "exist or was deleted).",
                            field=field._description_string(self.env),
                            model=self.env["ir.model"]._get(comodel).name or comodel,
                            id=record_id,
                        )
                    )
        self._sales_policy_check_customers(set(references.get("res.partner", ())))

    @api.model
    def _sales_policy_check_values(self, vals_list):
        """Refuse values of the wrong type or length, also in the records created or
        updated with these (x2many commands: the ORM converts them together)."""
        for vals in vals_list:
            for fname, value in vals.items():
                field = self._fields.get(fname)
                if field is None:
                    continue  # the ORM refuses unknown fields with their name
                self._sales_policy_check_value(field, value)
                if field.type in ("one2many", "many2many") and isinstance(value, (list, tuple)):
                    nested = [
                        command[2]
                        for command in value
                        if isinstance(command, (list, tuple))
                        and len(command) > 2
                        and command[0] in (Command.CREATE, Command.UPDATE)
                        and isinstance(command[2], dict)
                    ]
                    if nested:
                        self.env[field.comodel_name]._sales_policy_check_values(nested)

    @api.model
    def _sales_policy_check_value(self, field, value):
        """Refuse a value the field cannot hold, with the field's name."""
        if value is None or value is False:
            return
        if field.type in CONVERTED_TYPES:
            try:
                field.convert_to_cache(value, self.browse(), validate=True)
                wrong_type = False
            except (ValueError, TypeError):
                wrong_type = True
        else:
            wrong_type = field.type == "many2one" and (
                isinstance(value, (str, float, list, dict))
                or (isinstance(value, int) and value < 0)
            )
        if wrong_type:
            raise ValidationError(
                self.env._(
                    "%(field)s: %(value)s is not %(expected)s.",
                    field=field._description_string(self.env),
                    value=repr(value)[:50],
                    expected=self._sales_policy_expected_value(field),
                )
            )
        if field.type in ("char", "text", "html") and isinstance(value, str):
            limit = (field.type == "char" and field.size) or {
                "char": CHAR_MAX_LENGTH,
                "text": TEXT_MAX_LENGTH,
                "html": HTML_MAX_LENGTH,
            }[field.type]
            if len(value) > limit:
                raise ValidationError(
                    self.env._(
                        "%(field)s is too long: %(length)s characters, at most %(limit)s.",
                        field=field._description_string(self.env),
                        length=len(value),
                        limit=limit,
                    )
                )

    @api.model
    def _sales_policy_expected_value(self, field):
        if field.type == "integer":
            return self.env._("a whole number")
        if field.type in ("float", "monetary"):
            return self.env._("a number")
        if field.type == "date":
            return self.env._("a date (YYYY-MM-DD)")
        if field.type == "datetime":
            return self.env._("a date and time (YYYY-MM-DD HH:MM:SS)")
        if field.type == "selection":
            return self.env._(
                "one of %(values)s",
                values=", ".join(
                    str(key) for key, _label in field._description_selection(self.env)
                ),
            )
        return self.env._("the id of a record")

    @api.model
    def _sales_policy_referenced_ids(self, field, value):
        """The ids of the records a many2one or many2many value references."""
        if field.type == "many2one":
            return [value] if isinstance(value, int) and value > 0 else []
        if field.type != "many2many" or not isinstance(value, (list, tuple)):
            return []
        ids = []
        for command in value:
            if isinstance(command, int):
                ids.append(command)
            elif isinstance(command, (list, tuple)) and command:
                if command[0] == Command.LINK and len(command) > 1:
                    ids.append(command[1])
                elif command[0] == Command.SET and len(command) > 2:
                    ids.extend(command[2] or [])
        return [record_id for record_id in ids if isinstance(record_id, int) and record_id > 0]

    def _sales_policy_onchange_partners(self, values):
        """The customers an onchange would compute the document from: the partners of
        the values (or of the context's defaults) that are not already the record's."""
        partner_ids = set()
        for fname, field in self._fields.items():
            if field.comodel_name != "res.partner" or field.type not in ("many2one", "many2many"):
                continue
            value = values.get(fname, self.env.context.get(f"default_{fname}"))
            if isinstance(value, dict):
                value = value.get("id")
            elif isinstance(value, (list, tuple)) and field.type == "many2one":
                value = value[0] if value else False
            ids = set(self._sales_policy_referenced_ids(field, value))
            if ids and len(self) == 1 and self.id:
                ids -= set(self[fname].ids)  # what the record already shows
            partner_ids |= ids
        return partner_ids

    @api.model
    def _sales_policy_check_customers(self, partner_ids):
        """Refuse customers the user may not read (篇一 §15.2): a document may not
        name them, and nothing computed from them may show them to the user."""
        if self.env.su or not partner_ids:
            return
        Partner = self.env["res.partner"]
        if not Partner._sales_policy_is_restricted_user(self.env.user):
            return
        partners = Partner.browse(sorted(partner_ids)).exists()
        hidden = partners - partners._filtered_access("read")
        if hidden:
            raise UserError(
                self.env._(
                    "%(document)s: the contact %(ids)s is not one of the customers you may "
                    "see; a document may only name customers of your scope (%(article)s).",
                    document=self.env["ir.model"]._get(self._name).name or self._name,
                    ids=", ".join(f"#{partner_id}" for partner_id in hidden.ids),
                    article=self.env["sales.policy.control"]._cite("customer_confidentiality"),
                )
            )

    # ------------------------------------------------------------------------------
    # Large reads (system code)
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_execute_without_jit(self, query):
        """The rows of the read-only aggregate ``query``, run with PostgreSQL's JIT
        compilation off (:meth:`_sales_policy_jit_off`): three queries.

        PostgreSQL JIT-compiles a plan whose estimated cost is over ``jit_above_cost``,
        whatever its real size: for the grouped queries of the figures over a whole
        period (a million journal items) compiling took about 0.45 s on a 2-core
        machine, a third of the query's time, at every run (nothing is cached between
        queries)."""
        with self._sales_policy_jit_off():
            return self.env.execute_query(query)

    @api.model
    @contextlib.contextmanager
    def _sales_policy_jit_off(self):
        """Within the block, JIT compilation is off; the transaction's setting is
        restored when the block ends (one query each). Set for the transaction, as
        ``SET LOCAL``: when the block fails, rolling back the transaction or savepoint
        restores it too."""
        cr = self.env.cr
        # the subquery (not flattened: OFFSET 0) reads the setting before it changes
        cr.execute(
            "SELECT previous.jit, set_config('jit', 'off', true)"
            "  FROM (SELECT current_setting('jit') AS jit OFFSET 0) AS previous"
        )
        jit = cr.fetchone()[0]
        yield
        cr.execute(SQL("SELECT set_config('jit', %s, true)", jit))

    # ------------------------------------------------------------------------------
    # Bulk writing (system code)
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_bulk_insert(self, vals_list):
        """Insert the rows ``vals_list`` with ONE ``INSERT … SELECT FROM unnest(…)``
        (the ORM writes 100 rows per statement and computes each record's fields) and
        return them, in the order of ``vals_list``, in this environment. For the jobs
        that write thousands of records of facts computed by our code (credit
        assessments, appraisal items): the caller gives the value of every stored column
        it needs (the same keys in each dict; ``False`` and ``None`` are NULL except for
        booleans; a translated field's value is its English text; floats are rounded to
        their digits, monetary amounts are the caller's to round), nothing else happens:
        no default, no computed field, no constraint, no check, no chatter. The caller
        flushes what the rows depend on and marks what depends on them as modified."""
        if not vals_list:
            return self.browse()
        fnames = list(vals_list[0])
        fields_ = [self._fields[fname] for fname in fnames]
        assert all(field.column_type for field in fields_), "stored columns only"

        def column(field):
            values = [vals[field.name] for vals in vals_list]
            if field.type == "boolean":
                values = [bool(value) for value in values]
            else:
                values = [None if value is False else value for value in values]
            if field.type == "float" and field.get_digits(self.env):
                # rounded to the field's digits, as the ORM stores it
                values = [
                    value if value is None else field.convert_to_column(value, self)
                    for value in values
                ]
            if field.translate:
                values = [
                    value if value is None else json.dumps({"en_US": value}) for value in values
                ]
            return SQL("%s::%s[]", _array_literal(values), SQL(field.column_type[1]))

        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %(table)s (create_uid, create_date, write_uid, write_date, %(columns)s)
                SELECT %(uid)s, %(now)s, %(uid)s, %(now)s, %(columns)s
                  FROM unnest(%(arrays)s) WITH ORDINALITY AS inserted(%(columns)s, ordinality)
              ORDER BY inserted.ordinality
             RETURNING id
                """,
                table=SQL.identifier(self._table),
                columns=SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                uid=self.env.uid,
                now=self.env.cr.now(),
                arrays=SQL(", ").join(column(field) for field in fields_),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])
