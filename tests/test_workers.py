"""The addons on Odoo's multi-processing server, and two approvers at the same moment.

An HttpCase shares one test cursor between the test and the server it calls, so it
cannot show what two requests do at the same moment. This test starts a server of its
own the way a user does, ``setup/run.sh`` with two HTTP workers, on a copy of the test
database (SP_ADDONS_DB, made by setup/test.sh) where an ``odoo-bin shell`` script has
committed the test fixtures (the sales hierarchy of sales_policy/tests/common.py). Then:

* the JSON-RPC gate checks hold on the worker server (scopes, approval data, the
  confirmation gate, four eyes);
* two supervisors approve the same level of the same quotation at the same moment, from
  two threads, each with its own HTTP session and its own database transaction (one
  worker each): exactly one decision is recorded, the other approver gets a clear
  message, and no approval record is duplicated.
"""

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
import serverlib

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3

SETUP = f"""
import json
from odoo import Command
from odoo.addons.sales_policy.tests.common import SalesPolicyFixtures


class Data(SalesPolicyFixtures):
    env = env


Data._setup_sales_policy()
# a gap in rep_n2's chain: any supervisor of the company decides the first level
Data.team_n2.user_id = False
rep = Data.rep_n2
quotations = env["sale.order"]
for _index in range({ROUNDS}):
    quotations |= env["sale.order"].create(
        {{
            "partner_id": Data.customers[rep][0].id,
            "user_id": rep.id,
            "payment_term_id": env.ref("account.account_payment_term_30days").id,
            "order_line": [Command.create({{"product_id": Data.product.id, "price_unit": 100}})],
        }}
    )
env.cr.commit()
users = ("rep_n2", "sup_n1", "sup_s1")
print(json.dumps({{
    "users": {{name: [getattr(Data, name).id, getattr(Data, name).login] for name in users}},
    "quotations": quotations.ids,
    "other_order": Data.orders[Data.rep_n1a].id,  # another team's
}}))
"""


class Server:
    """JSON-RPC to the server started by the fixture."""

    def __init__(self, url, db, users):
        self.url, self.db, self.users = url, db, users

    def call(self, user, model, method, *args, **kwargs):
        uid, login = self.users[user]
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.db, uid, login, model, method, list(args), kwargs],
            },
        }
        # a session of its own per call: nothing shared between the two approvers
        with requests.Session() as session:
            reply = session.post(f"{self.url}/jsonrpc", json=payload, timeout=120)
        assert reply.status_code == 200, reply.text[:2000]
        return reply.json()

    def ok(self, user, model, method, *args, **kwargs):
        reply = self.call(user, model, method, *args, **kwargs)
        assert "error" not in reply, reply["error"]["data"].get("debug", reply)
        return reply["result"]

    def refused(self, error, pattern, user, model, method, *args, **kwargs):
        reply = self.call(user, model, method, *args, **kwargs)
        assert "error" in reply, f"{user} {method}: accepted, expected {error}"
        data = reply["error"]["data"]
        assert data["name"] == f"odoo.exceptions.{error}", data
        assert re.search(pattern, data["message"]), data["message"]
        return data["message"]


def _wait_until_served(url, process, log, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"setup/run.sh stopped ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            # a worker loads the registry on its first request: that may take a while
            reply = requests.post(
                f"{url}/web/webclient/version_info", json={"params": {}}, timeout=60
            )
            if reply.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    pytest.fail(f"The server did not answer in {timeout} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def worker_server(tmp_path_factory):
    with serverlib.scratch_db("SP_ADDONS_DB", "workers") as dbname:
        data = serverlib.odoo_shell(dbname, SETUP)
        port, gevent_port = serverlib.free_port(), serverlib.free_port()
        log = tmp_path_factory.mktemp("workers") / "server.log"
        env = dict(
            os.environ,
            SP_DB=dbname,
            SP_PORT=str(port),
            SP_GEVENT_PORT=str(gevent_port),
            SP_CRON_THREADS="0",  # no cron worker: the scheduled jobs stay out of the race
        )
        with log.open("w") as out:
            process = subprocess.Popen(
                ["bash", str(ROOT / "setup" / "run.sh"), "--workers", "2"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        cache = Path(os.environ.get("SP_CACHE", Path.home() / ".cache/sales-policy"))
        conf = cache / f"odoo-{dbname}.conf"
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_served(url, process, log)
            yield Server(url, dbname, data["users"]), data, conf, log
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            conf.unlink(missing_ok=True)


def test_run_sh_serves_with_two_workers(worker_server):
    server, _data, conf, log = worker_server
    options = dict(line.split(" = ", 1) for line in conf.read_text().splitlines() if " = " in line)
    assert (options["workers"], options["max_cron_threads"]) == ("2", "0")
    # each of the parallel calls needs a worker of its own: both are up
    for _attempt in range(30):
        workers = set(re.findall(r"Worker WorkerHTTP \((\d+)\) alive", log.read_text()))
        if len(workers) == 2:
            break
        time.sleep(1)
    assert len(workers) == 2, log.read_text()[-4000:]
    assert server.ok("sup_n1", "res.users", "read", [server.users["sup_n1"][0]], ["login"])


def test_gates_hold_on_the_worker_server(worker_server):
    server, data, _conf, _log = worker_server
    order = data["quotations"][0]
    forged = {"context": {"sales_policy_engine": True, "policy_approval_bypass": True}}
    server.refused(
        "AccessError", ".", "rep_n2", "sale.order", "read", [data["other_order"]], ["name"]
    )
    server.refused(
        "AccessError",
        ".",
        "rep_n2",
        "sale.order",
        "write",
        [order],
        {"policy_approval_state": "approved"},
        **forged,
    )
    server.refused("UserError", ".", "rep_n2", "sale.order", "action_confirm", [order], **forged)
    approve = ("sale.order", "action_policy_approve", [order])
    # not submitted yet: another team's supervisor has no business with it
    server.refused("AccessError", ".", "sup_n1", *approve)
    server.ok("rep_n2", "sale.order", "action_policy_submit", [order])
    server.refused("AccessError", "You cannot decide", "rep_n2", *approve)
    (state,) = server.ok(
        "rep_n2", "sale.order", "read", [order], ["state", "policy_approval_state"]
    )
    assert (state["state"], state["policy_approval_state"]) == ("draft", "pending")


def test_two_approvers_at_the_same_moment(worker_server):
    server, data, _conf, _log = worker_server
    approvers = ("sup_n1", "sup_s1")
    uids = {server.users[name][0] for name in approvers}
    messages = []
    for order in data["quotations"][1:]:
        server.ok("rep_n2", "sale.order", "action_policy_submit", [order])
        barrier = threading.Barrier(len(approvers))
        replies = {}

        def approve(name, order=order, barrier=barrier, replies=replies):
            barrier.wait()
            replies[name] = server.call(name, "sale.order", "action_policy_approve", [order])

        threads = [threading.Thread(target=approve, args=(name,)) for name in approvers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        accepted = [name for name, reply in replies.items() if "error" not in reply]
        refused = [reply["error"]["data"] for reply in replies.values() if "error" in reply]
        assert len(accepted) == 1 and len(refused) == 1, replies
        assert refused[0]["name"] == "odoo.exceptions.UserError", refused[0]
        assert re.search(
            r"is being decided by another approver at this moment"
            r"|is no longer waiting for approval: .* already decided",
            refused[0]["message"],
        ), refused[0]["message"]
        messages.append(refused[0]["message"])

        steps = serverlib.query(
            server.db,
            "SELECT state, decided_by_id FROM sales_policy_approval"
            " WHERE res_model = 'sale.order' AND res_id = %s",
            (order,),
        )
        assert len(steps) == 1, steps  # one level, one step: nothing duplicated
        assert steps[0][0] == "approved" and steps[0][1] in uids, steps
        assert steps[0][1] == server.users[accepted[0]][0], (steps, accepted)
        decisions = serverlib.query(
            server.db,
            "SELECT count(*) FROM mail_message WHERE model = 'sale.order' AND res_id = %s"
            " AND body::text LIKE %s",
            (order, "%Approved at level%"),
        )
        assert decisions == [(1,)]
        (state,) = server.ok(
            "rep_n2", "sale.order", "read", [order], ["state", "policy_approval_state"]
        )
        assert (state["state"], state["policy_approval_state"]) == ("draft", "approved")
    print("refused approvers were told:", *messages, sep="\n  ")
