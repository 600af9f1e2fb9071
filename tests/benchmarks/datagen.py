"""Shared data generator of the benchmarks: large volumes by bulk SQL.

Small, invariant-heavy records (users, teams, regions) go through the ORM; volumes
(customers, leads, followers) are inserted with one ``INSERT … SELECT`` each over
``generate_series``, filling what Odoo itself stores on those rows: ``company_id``,
``create_uid/create_date/write_uid/write_date``, computed stored fields (complete
name, commercial partner, won status, assignment and stage dates…) and the
salesperson's follower row. Every function works in the caller's transaction and
never commits; the harness (:mod:`benchlib`) rolls everything back.

Spreading is deterministic (``id`` arithmetic, no ``random()``): two runs on the same
sizes generate the same data.
"""

from odoo import Command
from odoo.tools import SQL

#: Share of generated leads whose last contact is older than the follow-up days.
DEFAULT_OVERDUE_RATIO = 0.3


def make_sales_force(env, regions=2, teams_per_region=5, reps_per_team=10, tag="bench"):
    """The sales hierarchy, through the ORM: a director, per region a regional
    manager, per team a supervisor and its reps.

    :returns: dict with ``director``, ``managers``, ``supervisors``, ``reps``
        (res.users recordsets) and ``teams`` (crm.team) and ``team_of`` (rep id →
        team id).
    """
    ref = env.ref
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True)
    company = env.company

    def user(login, group):
        return Users.create(
            {
                "name": login.replace("_", " ").title(),
                "login": login,
                "email": f"{login}@example.com",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [Command.set([ref(group).id])],
            }
        )

    director = user(f"{tag}_director", "sales_policy.group_sales_director")
    company.sales_policy_director_id = director
    managers = env["res.users"]
    supervisors = env["res.users"]
    reps = env["res.users"]
    teams = env["crm.team"]
    team_of = {}
    for r in range(regions):
        manager = user(f"{tag}_rm_{r}", "sales_policy.group_regional_manager")
        managers |= manager
        region = env["sales.policy.region"].create(
            {"name": f"{tag} region {r}", "manager_id": manager.id}
        )
        for t in range(teams_per_region):
            supervisor = user(f"{tag}_sup_{r}_{t}", "sales_policy.group_sales_supervisor")
            supervisors |= supervisor
            members = env["res.users"]
            for i in range(reps_per_team):
                members |= user(f"{tag}_rep_{r}_{t}_{i}", "sales_policy.group_sales_rep")
            team = env["crm.team"].create(
                {
                    "name": f"{tag} team {r}.{t}",
                    "user_id": supervisor.id,
                    "region_id": region.id,
                    "crm_team_member_ids": [Command.create({"user_id": m.id}) for m in members],
                }
            )
            teams |= team
            reps |= members
            team_of.update(dict.fromkeys(members.ids, team.id))
    env["res.users"]._sales_policy_hierarchy_changed()
    return {
        "director": director,
        "managers": managers,
        "supervisors": supervisors,
        "reps": reps,
        "teams": teams,
        "team_of": team_of,
    }


def _analyze(cr, *tables):
    """Refresh the planner statistics of ``tables`` after a bulk insert (ANALYZE sees
    the rows this transaction inserted)."""
    for table in tables:
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def _values_table(rows):
    """SQL ``(VALUES (a, b), …)`` of integer pairs."""
    return SQL(", ").join(SQL("(%s, %s)", a, b) for a, b in rows)


def insert_partners(env, count, reps, tag="bench"):
    """``count`` customer companies, spread over ``reps`` (their salesperson).

    :returns: list of the new partner ids, in insertion order.
    """
    env.flush_all()
    rep_ids = reps.ids
    env.cr.execute(
        SQL(
            """
            WITH reps(k, user_id) AS (VALUES %(reps)s),
                 new AS (SELECT nextval('res_partner_id_seq') AS id, g
                           FROM generate_series(1, %(count)s) AS g)
            INSERT INTO res_partner (
                id, commercial_partner_id, name, complete_name, type, is_company, active,
                partner_share, customer_rank, supplier_rank, autopost_bills, lang, user_id,
                email, create_uid, write_uid, create_date, write_date)
            SELECT new.id, new.id, %(tag)s || ' customer ' || new.g,
                   %(tag)s || ' customer ' || new.g, 'contact', TRUE, TRUE,
                   TRUE, 1, 0, 'ask', 'en_US', reps.user_id,
                   %(tag)s || '.customer' || new.g || '@example.com',
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM new JOIN reps ON reps.k = new.g %% %(nreps)s
             ORDER BY new.id
            RETURNING id
            """,
            reps=_values_table(enumerate(rep_ids)),
            count=count,
            nreps=len(rep_ids),
            tag=tag,
            uid=env.uid,
        )
    )
    ids = [row[0] for row in env.cr.fetchall()]
    env.invalidate_all()
    return ids


def insert_leads(
    env,
    count,
    reps,
    team_of,
    follow_up_days=3,
    overdue_ratio=DEFAULT_OVERDUE_RATIO,
    partner_ids=None,
    tag="bench",
):
    """``count`` open opportunities, assigned round-robin to ``reps``, each followed by
    its salesperson. About ``overdue_ratio`` of them had their last contact (or, when
    never contacted, their assignment) more than ``follow_up_days`` days ago; the others
    within the last ``follow_up_days - 1`` days. Channels alternate online / offline.

    :returns: the number of leads that breach the follow-up rule today.
    """
    env.flush_all()
    rep_ids = reps.ids
    stage = env["crm.stage"].search([("is_won", "=", False)], order="sequence", limit=1)
    partners = SQL("NULL::int")
    if partner_ids:
        partners = SQL("(%s::int[])[1 + (g %% %s)]", partner_ids, len(partner_ids))
    overdue_pct = round(overdue_ratio * 100)
    env.cr.execute(
        SQL(
            """
            WITH reps(k, user_id, team_id) AS (VALUES %(reps)s),
                 base AS (
                    SELECT g,
                           -- days since the last contact (or the assignment)
                           CASE WHEN (g * 7919) %% 100 < %(pct)s
                                THEN %(days)s + 1 + (g %% 27)
                                ELSE g %% GREATEST(%(days)s, 1) END AS idle,
                           (g %% 5 = 0) AS never_contacted
                      FROM generate_series(1, %(count)s) AS g),
                 dated AS (
                    SELECT base.*,
                           (now() AT TIME ZONE 'UTC') - make_interval(days => idle)
                               - interval '1 hour' AS contact,
                           (now() AT TIME ZONE 'UTC')
                               - make_interval(days => idle + CASE WHEN never_contacted
                                                                   THEN 0 ELSE 10 END)
                               - interval '1 hour' AS assigned
                      FROM base)
            INSERT INTO crm_lead (
                name, type, active, user_id, team_id, company_id, stage_id, partner_id,
                priority, probability, won_status, color, sales_policy_channel,
                date_open, date_last_stage_update, sales_policy_last_contact_date,
                create_uid, write_uid, create_date, write_date)
            SELECT %(tag)s || ' lead ' || g, 'opportunity', TRUE, reps.user_id, reps.team_id,
                   %(company)s, %(stage)s, %(partners)s,
                   '0', 10, 'pending', 0,
                   CASE WHEN g %% 2 = 0 THEN 'online' ELSE 'offline' END,
                   assigned, assigned,
                   CASE WHEN never_contacted THEN NULL ELSE contact END,
                   %(uid)s, %(uid)s, assigned, assigned
              FROM dated JOIN reps ON reps.k = g %% %(nreps)s
            """,
            reps=SQL(", ").join(
                SQL("(%s, %s, %s)", k, uid, team_of.get(uid)) for k, uid in enumerate(rep_ids)
            ),
            pct=overdue_pct,
            days=follow_up_days,
            count=count,
            nreps=len(rep_ids),
            tag=tag,
            company=env.company.id,
            stage=stage.id,
            partners=partners,
            uid=env.uid,
        )
    )
    # the salesperson follows the lead (Odoo subscribes the user_id on create)
    env.cr.execute(
        SQL(
            """
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'crm.lead', lead.id, users.partner_id
              FROM crm_lead lead JOIN res_users users ON users.id = lead.user_id
             WHERE lead.name LIKE %(pattern)s
            ON CONFLICT DO NOTHING
            """,
            pattern=f"{tag} lead %",
        )
    )
    env.invalidate_all()
    env.cr.execute(
        SQL(
            "SELECT count(*) FROM crm_lead WHERE name LIKE %s AND ("
            "COALESCE(sales_policy_last_contact_date, date_open) < %s)",
            f"{tag} lead %",
            SQL(
                "date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => %s)",
                follow_up_days,
            ),
        )
    )
    return env.cr.fetchone()[0]


def insert_receivables(
    env, count, partner_ids, team_of=None, partial_ratio=0.3, max_age_days=200, tag="bench"
):
    """``count`` posted customer invoices, one open receivable line each, spread over
    the customers ``partner_ids`` (salesperson: the customer's), by bulk SQL.

    Each invoice is a balanced move (receivable debit, income credit) in the company
    currency of ``env.company``, dated up to ``max_age_days`` days ago and due 30 days
    after its date, so every ageing bucket is filled. About ``partial_ratio`` of them
    are 40 % paid: a posted bank-journal payment entry whose receivable line is
    reconciled with the invoice's by an ``account.partial.reconcile`` row. Stored
    invariants are kept: ``parent_state``, ``company_id``, balances, residuals on the
    lines and the moves, ``payment_state``, ``reconciled``.

    :returns: dict with ``invoices`` and ``payments`` (counts) and ``open_residual``
        (sum of the open receivable residuals created).
    """
    env.flush_all()
    company = env.company
    currency = company.currency_id
    Journal = env["account.journal"]
    sale_journal = Journal.search(
        [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1
    )
    bank_journal = Journal.search(
        [*Journal._check_company_domain(company), ("type", "=", "bank")], limit=1
    )
    receivable = env["res.partner"]._fields["property_account_receivable_id"]
    receivable = receivable.get_company_dependent_fallback(env["res.partner"].with_company(company))
    income = sale_journal.default_account_id
    liquidity = bank_journal.default_account_id
    if not (sale_journal and bank_journal and receivable and income and liquidity):
        raise SystemExit("insert_receivables needs a chart of accounts (sale and bank journals)")
    team_of = team_of or {}
    today = env.cr.now().date()
    cr = env.cr
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
            SELECT (row_number() OVER (ORDER BY partner.id)) - 1 AS k, partner.id AS partner_id,
                   partner.user_id, teams.team_id
              FROM res_partner partner
         LEFT JOIN (VALUES %(teams)s) AS teams(user_id, team_id)
                ON teams.user_id = partner.user_id
             WHERE partner.id = ANY(%(partner_ids)s)
            """,
            teams=_values_table(team_of.items()) if team_of else SQL("(NULL::int, NULL::int)"),
            partner_ids=list(partner_ids),
        )
    )
    cr.execute("SELECT count(*) FROM bench_customer")
    customers = cr.fetchone()[0]
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_invoice ON COMMIT DROP AS
            SELECT g,
                   nextval('account_move_id_seq') AS move_id,
                   nextval('account_move_line_id_seq') AS receivable_line_id,
                   customer.partner_id, customer.user_id, customer.team_id,
                   %(today)s::date - ((g::bigint * 37) %% %(age)s)::int AS invoice_date,
                   %(today)s::date - ((g::bigint * 37) %% %(age)s)::int + 30 AS due,
                   (100 + (g::bigint * 7919) %% 9900)::numeric AS amount,
                   CASE WHEN (g::bigint * 13) %% 100 < %(pct)s
                        THEN round((100 + (g::bigint * 7919) %% 9900) * 0.4, 2) ELSE 0 END AS paid
              FROM generate_series(1, %(count)s) AS g
              JOIN bench_customer customer ON customer.k = g %% %(customers)s
            """,
            today=today,
            age=max_age_days,
            pct=round(partial_ratio * 100),
            count=count,
            customers=customers,
        )
    )
    common = {
        "company": company.id,
        "currency": currency.id,
        "uid": env.uid,
        "tag": tag.upper(),
    }
    cr.execute(
        SQL(
            """
            INSERT INTO account_move (
                id, name, sequence_prefix, sequence_number, journal_id, company_id,
                currency_id, move_type, state, auto_post, date, invoice_date, invoice_date_due,
                partner_id, commercial_partner_id, invoice_user_id, team_id,
                invoice_partner_display_name, invoice_currency_rate,
                amount_untaxed, amount_tax, amount_total, amount_residual,
                amount_untaxed_signed, amount_untaxed_in_currency_signed, amount_tax_signed,
                amount_total_signed, amount_total_in_currency_signed, amount_residual_signed,
                payment_state, posted_before, made_sequence_gap, is_move_sent, checked,
                create_uid, write_uid, create_date, write_date)
            SELECT move_id, %(tag)s || '/INV/' || g, %(tag)s || '/INV/', g, %(journal)s,
                   %(company)s, %(currency)s, 'out_invoice', 'posted', 'no', invoice_date,
                   invoice_date, due, partner_id, partner_id, user_id, team_id,
                   'customer ' || partner_id, 1,
                   amount, 0, amount, amount - paid,
                   amount, amount, 0, amount, amount, amount - paid,
                   CASE WHEN paid > 0 THEN 'partial' ELSE 'not_paid' END, TRUE, FALSE, FALSE,
                   TRUE, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_invoice
            """,
            journal=sale_journal.id,
            **common,
        )
    )
    # the foreign keys of the lines below look the moves up: let the planner know
    # they are there (a table it believes empty is checked by sequential scan)
    _analyze(cr, "account_move", "res_partner")
    line_columns = SQL(
        """
        id, move_id, move_name, date, invoice_date, parent_state, journal_id, company_id,
        company_currency_id, currency_id, partner_id, account_id, display_type, name,
        sequence, date_maturity, debit, credit, balance, amount_currency, amount_residual,
        amount_residual_currency, reconciled, quantity, price_unit, price_subtotal,
        price_total, create_uid, write_uid, create_date, write_date
        """
    )
    cr.execute(
        SQL(
            """
            INSERT INTO account_move_line (%(columns)s)
            SELECT receivable_line_id, move_id, %(tag)s || '/INV/' || g, invoice_date,
                   invoice_date, 'posted', %(journal)s, %(company)s, %(currency)s, %(currency)s,
                   partner_id, %(receivable)s, 'payment_term', %(tag)s || '/INV/' || g, 10000,
                   due, amount, 0, amount, amount, amount - paid, amount - paid, FALSE,
                   NULL::numeric, NULL::numeric, NULL::numeric, NULL::numeric,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_invoice
             UNION ALL
            SELECT nextval('account_move_line_id_seq'), move_id, %(tag)s || '/INV/' || g,
                   invoice_date, invoice_date, 'posted', %(journal)s, %(company)s, %(currency)s,
                   %(currency)s, partner_id, %(income)s, 'product', 'Goods', 10, NULL::date,
                   0, amount, -amount, -amount, 0, 0, FALSE, 1, amount, amount, amount,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_invoice
            """,
            columns=line_columns,
            journal=sale_journal.id,
            receivable=receivable.id,
            income=income.id,
            **common,
        )
    )
    _analyze(cr, "account_move_line")
    # the partial payments: a bank entry each, reconciled with the invoice's line
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_payment ON COMMIT DROP AS
            SELECT g, receivable_line_id AS invoice_line_id, partner_id, paid,
                   LEAST(invoice_date + 10, %(today)s::date) AS pay_date,
                   nextval('account_move_id_seq') AS move_id,
                   nextval('account_move_line_id_seq') AS line_id
              FROM bench_invoice WHERE paid > 0
            """,
            today=today,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO account_move (
                id, name, sequence_prefix, sequence_number, journal_id, company_id,
                currency_id, move_type, state, auto_post, date, partner_id,
                commercial_partner_id, invoice_currency_rate, amount_untaxed, amount_tax,
                amount_total, amount_residual, amount_untaxed_signed,
                amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed,
                amount_total_in_currency_signed, amount_residual_signed, payment_state,
                posted_before, made_sequence_gap, is_move_sent, checked,
                create_uid, write_uid, create_date, write_date)
            SELECT move_id, %(tag)s || '/PAY/' || g, %(tag)s || '/PAY/', g, %(journal)s,
                   %(company)s, %(currency)s, 'entry', 'posted', 'no', pay_date, partner_id,
                   partner_id, 1, 0, 0, paid, 0, 0, 0, 0, paid, paid, 0, 'not_paid',
                   TRUE, FALSE, FALSE, TRUE,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_payment
            """,
            journal=bank_journal.id,
            **common,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO account_move_line (%(columns)s)
            SELECT line_id, move_id, %(tag)s || '/PAY/' || g, pay_date, NULL::date, 'posted',
                   %(journal)s, %(company)s, %(currency)s, %(currency)s, partner_id,
                   %(receivable)s, 'product', 'Customer payment', 10, pay_date,
                   0, paid, -paid, -paid, 0, 0, TRUE, NULL::numeric, NULL::numeric,
                   NULL::numeric, NULL::numeric,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_payment
             UNION ALL
            SELECT nextval('account_move_line_id_seq'), move_id, %(tag)s || '/PAY/' || g,
                   pay_date, NULL::date, 'posted', %(journal)s, %(company)s, %(currency)s,
                   %(currency)s, partner_id, %(liquidity)s, 'product', 'Customer payment', 20,
                   pay_date, paid, 0, paid, paid, 0, 0, FALSE, NULL, NULL, NULL, NULL,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_payment
            """,
            columns=line_columns,
            journal=bank_journal.id,
            receivable=receivable.id,
            liquidity=liquidity.id,
            **common,
        )
    )
    _analyze(cr, "account_move", "account_move_line")
    cr.execute(
        SQL(
            """
            INSERT INTO account_partial_reconcile (
                debit_move_id, credit_move_id, amount, debit_amount_currency,
                credit_amount_currency, debit_currency_id, credit_currency_id, company_id,
                max_date, create_uid, write_uid, create_date, write_date)
            SELECT invoice_line_id, line_id, paid, paid, paid, %(currency)s, %(currency)s,
                   %(company)s, pay_date,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_payment
            """,
            **common,
        )
    )
    cr.execute("SELECT count(*) FROM bench_payment")
    payments = cr.fetchone()[0]
    cr.execute("SELECT sum(amount - paid) FROM bench_invoice")
    open_residual = cr.fetchone()[0]
    cr.execute("DROP TABLE bench_customer, bench_invoice, bench_payment")
    env.invalidate_all()
    return {"invoices": count, "payments": payments, "open_residual": open_residual}


def insert_visits(env, partner_ids, team_of=None, per_customer=2, max_age_days=120):
    """``per_customer`` past visits of each customer of ``partner_ids`` (salesperson:
    the customer's), by bulk SQL, dated up to ``max_age_days`` days ago.

    One visit in five is a no-show, the others are done (with findings and outcome,
    visited on the planned date), so the last done visit of a customer is spread
    over the whole period. Stored invariants: commercial partner, team, company,
    planned end (``date_planned`` + duration), create/write uid and date.

    :returns: the number of visits inserted.
    """
    env.flush_all()
    team_of = team_of or {}
    env.cr.execute(
        SQL(
            """
            WITH teams(user_id, team_id) AS (VALUES %(teams)s),
                 base AS (
                    SELECT partner.id AS partner_id, partner.user_id, teams.team_id, k,
                           (now() AT TIME ZONE 'UTC')
                               - make_interval(days => ((partner.id * 7 + k * 37) %% %(age)s) + 1)
                               AS planned,
                           (partner.id + k) %% 5 = 0 AS no_show
                      FROM res_partner partner
                      JOIN generate_series(1, %(per)s) AS k ON TRUE
                 LEFT JOIN teams ON teams.user_id = partner.user_id
                     WHERE partner.id = ANY(%(partner_ids)s))
            INSERT INTO sales_policy_visit (
                name, partner_id, commercial_partner_id, user_id, team_id, company_id,
                purpose, date_planned, duration, date_end, appointment_confirmed, state,
                date_visited, findings, outcome, next_step,
                create_uid, write_uid, create_date, write_date)
            SELECT 'Visit ' || partner_id || '/' || k, partner_id, partner_id, user_id, team_id,
                   %(company)s, 'relationship', planned, 1.0, planned + interval '1 hour', TRUE,
                   CASE WHEN no_show THEN 'no_show' ELSE 'done' END,
                   CASE WHEN no_show THEN NULL ELSE planned END,
                   CASE WHEN no_show THEN NULL ELSE '<p>Needs heard</p>' END,
                   CASE WHEN no_show THEN NULL ELSE 'Outcome' END, 'none',
                   %(uid)s, %(uid)s, planned, planned
              FROM base
            """,
            teams=_values_table(team_of.items()) if team_of else SQL("(NULL::int, NULL::int)"),
            age=max_age_days,
            per=per_customer,
            partner_ids=list(partner_ids),
            company=env.company.id,
            uid=env.uid,
        )
    )
    count = env.cr.rowcount
    env.invalidate_all()
    return count


def assign_customer_classes(env, partner_ids, shares, created_days_ago=365):
    """Spread the customers ``partner_ids`` over customer classes: ``shares`` is a list
    of (sales.policy.customer.class, percentage); the rest keeps no class. The
    customers are dated ``created_days_ago`` days back (never-visited ones then count
    from that day).
    """
    env.flush_all()
    bounds, low = [], 0
    for customer_class, pct in shares:
        # a hash of the id: every salesperson gets customers of every class
        bounds.append(
            SQL("WHEN abs(hashint4(id)) %% 100 < %s THEN %s", low + pct, customer_class.id)
        )
        low += pct
    env.cr.execute(
        SQL(
            """
            UPDATE res_partner
               SET sales_policy_customer_class_id = CASE %(bounds)s ELSE NULL END,
                   create_date = (now() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
             WHERE id = ANY(%(partner_ids)s)
            """,
            bounds=SQL(" ").join(bounds),
            days=created_days_ago,
            partner_ids=list(partner_ids),
        )
    )
    env.invalidate_all()


def insert_confirmed_orders(env, partner_ids, days_ago=10):
    """One confirmed sale order (no lines) per customer of ``partner_ids``, by its
    salesperson, dated ``days_ago`` days back (customer care: surveys, return visits).

    :returns: {partner id: order id}.
    """
    env.flush_all()
    company = env.company
    env.cr.execute(
        SQL(
            """
            INSERT INTO sale_order (
                name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                currency_id, date_order, state, user_id, policy_approval_state,
                create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || partner.id, partner.id, partner.id, partner.id, %(company)s,
                   %(currency)s,
                   (now() AT TIME ZONE 'UTC') - make_interval(days => %(days)s),
                   'sale', partner.user_id, 'approved',
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM res_partner partner
             WHERE partner.id = ANY(%(partner_ids)s)
            RETURNING partner_id, id
            """,
            company=company.id,
            currency=company.currency_id.id,
            days=days_ago,
            uid=env.uid,
            partner_ids=list(partner_ids),
        )
    )
    orders = dict(env.cr.fetchall())
    env.invalidate_all()
    return orders


def age_customer_data(env, partner_ids, months, share=100):
    """Date the customer data of ``share`` percent of ``partner_ids`` ``months`` months
    back (last update and creation): stale customer data (篇四 §19.1)."""
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            UPDATE res_partner
               SET sales_policy_data_date = (now() AT TIME ZONE 'UTC')::date
                                            - make_interval(months => %(months)s),
                   create_date = (now() AT TIME ZONE 'UTC') - make_interval(months => %(months)s)
             WHERE id = ANY(%(partner_ids)s) AND abs(hashint4(id)) %% 100 < %(share)s
            """,
            months=months,
            share=share,
            partner_ids=list(partner_ids),
        )
    )
    env.invalidate_all()


def insert_order_lines(env, partner_ids, lines, lines_per_order=10, max_age_days=90, tag="bench"):
    """``lines`` sale order lines in ``lines // lines_per_order`` orders of the customers
    ``partner_ids`` (salesperson: the customer's), by bulk SQL, dated up to
    ``max_age_days`` days ago (in days from 0). One order in twenty is cancelled, the
    others confirmed. Stored invariants: the order's amounts, company, currency,
    salesperson and state on its lines, the lines' subtotals, create/write uid and date.

    :returns: dict with ``orders`` and ``lines`` (counts).
    """
    env.flush_all()
    company = env.company
    product = env["product.product"].create({"name": f"{tag} product", "list_price": 100.0})
    env.flush_all()
    orders = max(lines // lines_per_order, 1)
    env.cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_order ON COMMIT DROP AS
            SELECT g, nextval('sale_order_id_seq') AS id, customer.id AS partner_id,
                   customer.user_id,
                   (now() AT TIME ZONE 'UTC')
                       - make_interval(days => ((g::bigint * 37) %% %(age)s)::int) AS date_order,
                   CASE WHEN g %% 20 = 0 THEN 'cancel' ELSE 'sale' END AS state
              FROM generate_series(0, %(orders)s - 1) AS g
              JOIN res_partner customer
                ON customer.id = (%(partner_ids)s::int[])[1 + g %% %(customers)s]
            """,
            age=max(max_age_days, 1),
            orders=orders,
            partner_ids=list(partner_ids),
            customers=len(partner_ids),
        )
    )
    amount = 100.0 * lines_per_order
    env.cr.execute(
        SQL(
            """
            INSERT INTO sale_order (
                id, name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                currency_id, date_order, state, user_id, policy_approval_state,
                amount_untaxed, amount_tax, amount_total,
                create_uid, write_uid, create_date, write_date)
            SELECT id, %(tag)s || '/SO/' || g, partner_id, partner_id, partner_id, %(company)s,
                   %(currency)s, date_order, state, user_id, 'approved',
                   %(amount)s, 0, %(amount)s,
                   %(uid)s, %(uid)s, date_order, date_order
              FROM bench_order
            """,
            tag=tag,
            company=company.id,
            currency=company.currency_id.id,
            amount=amount,
            uid=env.uid,
        )
    )
    env.cr.execute(
        SQL(
            """
            INSERT INTO sale_order_line (
                order_id, sequence, name, product_id, product_uom_qty, price_unit,
                price_subtotal, price_total, price_tax, customer_lead, company_id,
                currency_id, order_partner_id, salesman_id, state,
                create_uid, write_uid, create_date, write_date)
            SELECT o.id, k, %(tag)s || ' line', %(product)s, 1, 100.0, 100.0, 100.0, 0, 0,
                   %(company)s, %(currency)s, o.partner_id, o.user_id, o.state,
                   %(uid)s, %(uid)s, o.date_order, o.date_order
              FROM bench_order o
              JOIN generate_series(1, %(per)s) AS k ON TRUE
            """,
            tag=tag,
            product=product.id,
            company=company.id,
            currency=company.currency_id.id,
            per=lines_per_order,
            uid=env.uid,
        )
    )
    count = env.cr.rowcount
    _analyze(env.cr, "sale_order", "sale_order_line")
    env.invalidate_all()
    return {"orders": orders, "lines": count}
