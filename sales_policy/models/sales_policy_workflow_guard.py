from odoo import api, models
from odoo.exceptions import AccessError, UserError

#: Stands for "every field a user edits" in :meth:`_policy_guard_locked_fields` and
#: :meth:`_policy_guard_field_groups`.
ALL_FIELDS = "__all__"


class SalesPolicyWorkflowGuard(models.AbstractModel):
    """The workflow guard (mechanism 2 of the design, beside the approval engine).

    A model with a state machine inherits it and declares, through small hooks, what a
    user may change; the guard refuses everything else on every path a user has (create,
    write, unlink: buttons, RPC, import, Odoo's wizards), with one translated message
    naming the field, the state and the policy article. The server's own code (sudo)
    is not guarded: it is the workflow.

    * :meth:`_policy_guard_system_fields` — fields only the workflow writes, in every
      state (a user never sets them, not even on create);
    * :meth:`_policy_guard_locked_fields` — ``{state: fields}``: fields a user may not
      change while the record is in ``state`` (:data:`ALL_FIELDS` for all of them);
    * :meth:`_policy_guard_transitions` — ``{from_state: to_states}`` a user may make;
      ``to_states`` may be a dict ``{to_state: group xmlids}`` when only some roles
      make a move. Users write the state when it is not a system field; when it is,
      the model's buttons call :meth:`_policy_guard_check_transition` and write it
      with sudo;
    * :meth:`_policy_guard_field_groups` — ``{field: group xmlids}``: fields only the
      members of one of those groups may write (key :data:`ALL_FIELDS`: every other
      field a user edits);
    * :meth:`_policy_guard_deletable_states` — the states a user may delete in
      (:meth:`_policy_guard_deletable` for a rule on the record itself);
    * :meth:`_policy_guard_control` — the control (article) the messages cite;
    * :meth:`_policy_guard_hint` — what the user should do instead, added to a message;
    * :attr:`_policy_guard_parent_field` — for the lines of a document: a user's change
      of a line is checked as a change of the document's lines, by the document's guard.
    """

    _name = "sales.policy.workflow.guard"
    _description = "Sales Policy Workflow Guard"

    #: The field holding the record's state.
    _policy_guard_state_field = "state"
    #: The many2one to the document whose lines the records are (``None``: none).
    _policy_guard_parent_field = None

    # ------------------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        """Fields written by the workflow only (server code, with sudo)."""
        return frozenset()

    def _policy_guard_locked_fields(self):
        """``{state: frozenset of field names or ALL_FIELDS}`` locked in that state."""
        return {}

    def _policy_guard_transitions(self):
        """``{from_state: to_states}`` a user may make, ``to_states`` an iterable of
        states or a dict ``{to_state: group xmlids}`` (empty: anyone).

        ``None``: users write the state freely (when it is not a system field).
        """
        return None

    def _policy_guard_field_groups(self):
        """``{field or ALL_FIELDS: tuple of group xmlids}``: who may write these fields."""
        return {}

    def _policy_guard_deletable_states(self):
        """The states in which a user may delete a record (``None``: any state)."""
        return None

    def _policy_guard_deletable(self):
        """Whether a user may delete the record ``self`` (default: by its state)."""
        self.ensure_one()
        states = self._policy_guard_deletable_states()
        return states is None or self._policy_guard_state() in states

    def _policy_guard_control(self):
        """Code of the sales.policy.control cited in the guard's messages."""
        return ""

    def _policy_guard_hint(self, kind):
        """A sentence telling the user what to do instead, added to the message that
        refuses ``kind`` (``system``, ``group``, ``locked``, ``transition`` or
        ``deleted``) on the record ``self`` (empty on create); ``""`` for none."""
        return ""

    def _policy_guard_free_fields(self):
        """Fields a lock never covers: the chatter's and activities' bookkeeping."""
        return frozenset(
            name
            for name in self._fields
            if name.startswith(("message_", "activity_", "website_message", "rating_"))
        )

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._policy_guard_check_vals(vals, self.browse())
            parent_field = self._policy_guard_parent_field
            if parent_field:
                parent_ids = {vals[parent_field] for vals in vals_list if vals.get(parent_field)}
                self._policy_guard_check_parents(self[parent_field].browse(parent_ids))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._policy_guard_check_vals(vals, self)
            parent_field = self._policy_guard_parent_field
            if parent_field:
                parents = self[parent_field]
                if vals.get(parent_field):
                    parents |= parents.browse(vals[parent_field])
                self._policy_guard_check_parents(parents)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _policy_guard_unlink(self):
        if self.env.su:
            return
        for record in self:
            if not record._policy_guard_deletable():
                raise UserError(record._policy_guard_message("deleted"))
        if self._policy_guard_parent_field:
            self._policy_guard_check_parents(self[self._policy_guard_parent_field])

    # ------------------------------------------------------------------------------
    # The guard
    # ------------------------------------------------------------------------------
    def _policy_guard_state(self):
        self.ensure_one()
        state_field = self._policy_guard_state_field
        return self[state_field] if state_field in self._fields else False

    def _policy_guard_check_vals(self, vals, records):
        """Refuse ``vals`` for ``records`` (empty: a new record) unless allowed."""
        keys = set(vals)
        system = self._policy_guard_system_fields() & keys
        if system:
            raise AccessError(records[:1]._policy_guard_message("system", system))
        self._policy_guard_check_field_groups(keys, records)
        state_field = self._policy_guard_state_field
        locks = self._policy_guard_locked_fields()
        free = self._policy_guard_free_fields() if locks else frozenset()
        for record in records if locks else ():
            state = record._policy_guard_state()
            locked = locks.get(state, frozenset())
            if locked == ALL_FIELDS:
                blocked = keys - free - {state_field}
            else:
                blocked = keys & set(locked)
            if blocked:
                raise UserError(record._policy_guard_message("locked", blocked))
        if state_field in keys:
            to_state = vals[state_field]
            records.filtered(
                lambda record: record._policy_guard_state() != to_state
            )._policy_guard_check_transition(to_state)

    def _policy_guard_check_field_groups(self, keys, records):
        field_groups = self._policy_guard_field_groups()
        if not field_groups:
            return
        default = field_groups.get(ALL_FIELDS)
        exempt = self._policy_guard_free_fields() | {self._policy_guard_state_field}
        refused, groups = set(), set()
        for name in keys:
            allowed = field_groups.get(name)
            if allowed is None and name not in exempt:
                allowed = default
            if allowed and not self._policy_guard_user_in(allowed):
                refused.add(name)
                groups.update(allowed)
        if refused:
            raise AccessError(records[:1]._policy_guard_message("group", refused, groups=groups))

    def _policy_guard_check_transition(self, to_state):
        """Refuse unless the current user may move every record of ``self`` to
        ``to_state`` (:meth:`_policy_guard_transitions`). The buttons of a model whose
        state is a system field call it before writing the state with sudo."""
        if self.env.su:
            return
        transitions = self._policy_guard_transitions()
        if transitions is None:
            return
        for record in self:
            allowed = transitions.get(record._policy_guard_state()) or ()
            if to_state not in allowed:
                raise UserError(record._policy_guard_message("transition", to_state=to_state))
            groups = allowed[to_state] if isinstance(allowed, dict) else ()
            if groups and not self._policy_guard_user_in(groups):
                raise AccessError(
                    record._policy_guard_message("transition", to_state=to_state, groups=groups)
                )

    def _policy_guard_check_parents(self, parents):
        """A change of lines is a change of their documents' lines field."""
        if not parents:
            return
        parent_field = self._policy_guard_parent_field
        lines_field = next(
            (
                name
                for name, field in parents._fields.items()
                if field.type == "one2many"
                and field.comodel_name == self._name
                and field.inverse_name == parent_field
            ),
            None,
        )
        if lines_field:
            parents._policy_guard_check_vals({lines_field: True}, parents)

    def _policy_guard_user_in(self, groups):
        return any(self.env.user.has_group(group) for group in groups)

    def _policy_guard_labels(self, names):
        return ", ".join(
            sorted(
                self._fields[name]._description_string(self.env) if name in self._fields else name
                for name in names
            )
        )

    def _policy_guard_state_label(self, state):
        state_field = self._policy_guard_state_field
        if not state or state_field not in self._fields:
            return self.env._("new")
        selection = self._fields[state_field]._description_selection(self.env)
        return dict(selection).get(state, state)

    def _policy_guard_message(self, kind, names=(), to_state=None, groups=()):
        """The guard's message refusing ``kind`` (see :meth:`_policy_guard_hint`) on the
        record ``self`` (empty: a new one): what is refused, on which document, in
        which state, under which article, and what to do instead."""
        record = self[:1]
        params = {
            "what": self._policy_guard_labels(names),
            "document": record.display_name if record else self._description,
            "state": self._policy_guard_state_label(
                record._policy_guard_state() if record else False
            ),
            "target": self._policy_guard_state_label(to_state),
            "groups": ", ".join(sorted(self.env.ref(group).sudo().name for group in groups)),
            "article": self.env["sales.policy.control"]._cite(self._policy_guard_control()) or "-",
        }
        if kind == "deleted":
            message = self.env._(
                "%(document)s is %(state)s: it cannot be deleted, it stays on record "
                "(%(article)s).",
                **params,
            )
        elif kind == "locked":
            message = self.env._(
                "%(document)s is %(state)s: %(what)s cannot be changed in this state "
                "(%(article)s).",
                **params,
            )
        elif kind == "transition" and groups:
            message = self.env._(
                "%(document)s is %(state)s: only %(groups)s can move it to %(target)s "
                "(%(article)s).",
                **params,
            )
        elif kind == "transition":
            message = self.env._(
                "%(document)s is %(state)s: it cannot be moved to %(target)s (%(article)s).",
                **params,
            )
        elif kind == "group":
            message = self.env._(
                "%(document)s: only %(groups)s can change %(what)s (%(article)s).", **params
            )
        else:
            message = self.env._(
                "%(document)s: %(what)s cannot be changed by hand; the workflow records it "
                "(%(article)s).",
                **params,
            )
        hint = record._policy_guard_hint(kind)
        return f"{message} {hint}" if hint else message
