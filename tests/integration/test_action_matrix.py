"""One way in: for every role, every status and every staff action, every door agrees.

For each (role, status, action) what ``services.actions.available_actions`` offers must be exactly:

- the choices the complaint page renders (``/pengaduan/<code>``), and the start and finish steps the field
  page shows (``/field?job=<code>``) to those who may open it;
- what the JSON API's transition does: 200 when offered; otherwise 403 when the role or the reach forbids
  it and 409 when the status machine does, and the complaint is left as it was;
- what the JSON bulk path does with that complaint, and the operators' bulk bar for the actions it offers;
- for the bar's steps of several actions (``BULK_STEPS``, "verify_assign"), ``available_steps``: the bar takes
  a complaint exactly when each action is offered in turn, and one it refuses (or a step it refuses as a whole
  to a role it does not offer it) is left exactly as it was. The JSON bulk path takes single actions only.

Each complaint is brought to its status the way the system gets there, assigned to the field supervisor
where the machine allows, and given a completion photo, so that only the role, the status and the action
decide. Accounts have no agency or kecamatan limit (``test_scope_matrix.py`` walks the limits).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.status import ACTIONS, STEPS, Status
from db.workflow import detail
from services.actions import available_actions, available_steps
from services.permissions import BULK_ACTIONS, BULK_STEPS, STAFF_ACTIONS, actions_of, may_open, refusal
from tests.integration.staff import (
    Account,
    Accounts,
    bearer,
    dash_call,
    point_in,
    render_page,
    session_login,
    site_photo,
    status_of,
    text_of,
)

DBMSDA = "3671.DBMSDA"
ROLES = ("admin", "operator", "opd", "field", "leader")
WALKED = [action for action in ACTIONS if action in STAFF_ACTIONS]


class Complaints:
    """Builds committed complaints in any status, assigned to ``supervisor`` where the machine allows."""

    def __init__(self, engine: Engine, committed: list[int], supervisor: Account):
        self.engine = engine
        self.committed = committed
        self.supervisor = supervisor
        self.survivor = self.make(Status.DIKERJAKAN)  # what duplicates are merged into

    def make(self, status: Status) -> str:
        from db.complaints import SYSTEM, NewComplaint, create_complaint, transition
        from photos.store import get_store
        from photos.upload import save_photo

        assign = [("verify", {}), ("assign", {"assignee": self.supervisor.username})]
        steps: dict[Status, list[tuple[str, dict[str, Any]]]] = {
            Status.BARU: [],
            Status.LUAR_WILAYAH: [],
            Status.TERVERIFIKASI: [("verify", {})],
            Status.DITERUSKAN: [("forward", {"opd": DBMSDA, "reason": "kewenangan DBMSDA"})],
            # Forwarded through Jakarta's door (``door_to_jakarta``), which could not be reached.
            Status.GAGAL_DITERUSKAN: [
                ("forward", {"kota": "3171", "reason": "wilayah Jakarta"}),
                ("handover_failed", {"reason": "http://127.0.0.1:9/open311/v2/requests.json cannot be reached"}),
            ],
            Status.DITUGASKAN: assign,
            Status.DIKERJAKAN: [*assign, ("start", {})],
            Status.PERLU_KONFIRMASI: [*assign, ("start", {}), ("complete", {"reason": "GPS kamera rusak"})],
            Status.SELESAI: [*assign, ("start", {}), ("complete", {})],
            Status.DITOLAK: [*assign, ("reject", {"reason": "bukan pengaduan"})],
            Status.DUPLIKAT: [*assign, ("duplicate", {"of": getattr(self, "survivor", None), "reason": "sama"})],
        }
        # Outside every boundary: a report without a place.
        where = {} if status is Status.LUAR_WILAYAH else dict(zip(("lon", "lat"), point_in(self.engine), strict=True))
        with self.engine.begin() as conn:
            made = create_complaint(
                conn, NewComplaint(category="jalan_rusak", description=f"matriks {secrets.token_hex(4)}", **where)
            )
            self.committed.append(made.id)
            # Taken at the report's place, so finishing closes it; 11 km away for one waiting for confirmation.
            far = 11_000 if status is Status.PERLU_KONFIRMASI else 0
            photo = site_photo(conn, made.id, east_m=far, colour=(secrets.randbelow(255), 9, 9))
            save_photo(conn, get_store(), made.id, photo, "completion", SYSTEM, 10**7)
            for action, args in steps[status]:
                transition(conn, made.id, action, SYSTEM, **args)
        assert status_of(self.engine, made.tracking_code)["status"] == status.value
        return made.tracking_code


def _args(action: str, complaints: Complaints) -> dict[str, Any]:
    """Everything ``action`` may need, valid for every complaint built here."""
    return {
        "forward": {"opd": DBMSDA, "reason": "ke DBMSDA"},
        "assign": {"assignee": complaints.supervisor.username},
        "duplicate": {"of": complaints.survivor, "reason": "laporan yang sama"},
        "recategorise": {"category": "banjir_drainase", "reason": "genangan"},
        "reject": {"reason": "bukan pengaduan"},
        "reopen": {"reason": "belum beres"},
    }.get(action, {"note": "dicatat"})


def _find(layout: Any, component_id: str) -> dict[str, Any] | None:
    """The props of the component with this id in a rendered layout, or None."""
    if isinstance(layout, dict):
        props = layout.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        children = layout.values()
    elif isinstance(layout, list):
        children = layout  # type: ignore[assignment]
    else:
        return None
    for child in children:
        found = _find(child, component_id)
        if found is not None:
            return found
    return None


def _page_offers(client: Any, code: str) -> list[str]:
    """The action choices the complaint page renders."""
    radios = _find(render_page(client, f"/pengaduan/{code}"), "cp-action")
    return [option["value"] for option in radios["options"]] if radios else []


def _field_page_offers(client: Any, code: str) -> list[str]:
    """The steps the field page shows for this job: start and/or complete."""
    layout = render_page(client, "/field", f"?job={code}")
    steps = (("start", "fj-start-section"), ("complete", "fj-finish-section"))
    return [action for action, section in steps if (props := _find(layout, section)) and not props.get("hidden")]


def _bulk_bar(client: Any, codes: list[str], action: str, args: dict[str, Any]) -> set[str] | None:
    """The codes the operators' bulk bar reports as failed (its callback, as the browser calls it), or None when
    it refuses the request as a whole."""
    states = {
        "op-action": action, "op-opd": args.get("opd"), "op-kota": None, "op-assignee": args.get("assignee"),
        "op-category": args.get("category"), "op-of": args.get("of"), "op-reason": args.get("reason"),
        "op-office": None, "op-office-person": None, "op-office-contact": None,
        "op-selected": codes, "op-bulk-pending": None, "op-done": 0, "op-lang": "en",
    }  # fmt: skip
    props = {"op-selected": "data", "op-bulk-pending": "data", "op-done": "data", "op-lang": "data"}
    outputs = [
        ("op-msg", "children"), ("op-done", "data"), ("op-bulk-confirm", "displayed"),
        ("op-bulk-confirm", "message"), ("op-bulk-pending", "data"),
    ]  # fmt: skip

    def press(trigger: str, pending: Any, confirmed: int | None) -> Any:
        state = {**states, "op-bulk-pending": pending}
        response = dash_call(
            client,
            {
                "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
                "outputs": [{"id": i, "property": p} for i, p in outputs],
                "inputs": [
                    {"id": "op-submit", "property": "n_clicks", "value": 1},
                    {"id": "op-bulk-confirm", "property": "submit_n_clicks", "value": confirmed},
                ],
                "state": [{"id": k, "property": props.get(k, "value"), "value": v} for k, v in state.items()],
                "changedPropIds": [trigger],
            },
        )
        assert response.status_code == 200, response.data[:300]
        return response.get_json()["response"]

    answer = press("op-submit.n_clicks", None, None)
    if len(codes) > 10:  # more than ten reports: the bar asks first, naming the count; the operator says OK
        assert answer["op-bulk-confirm"]["displayed"] is True
        assert str(len(codes)) in answer["op-bulk-confirm"]["message"], answer
        answer = press("op-bulk-confirm.submit_n_clicks", answer["op-bulk-pending"]["data"], 1)
    message = text_of(answer["op-msg"])
    if " reports: " not in message:  # the request as a whole is refused (the role may not take it): an error
        assert answer["op-msg"]["children"]["props"]["className"] == "error", message
        return None
    return {code for code in codes if f"{code}: " in message}  # "n reports: <action> done." and the failures


def _bar_offers(client: Any) -> list[str]:
    """The choices the operators' bulk bar renders (``/operator``)."""
    radios = _find(render_page(client, "/operator"), "op-action")
    return [option["value"] for option in radios["options"]] if radios else []


def _through_bar(
    client: Any,
    engine: Engine,
    complaints: Complaints,
    codes: dict[Status, str],
    choice: str,
    takes: dict[Status, bool],
) -> list[str]:
    """Walk ``choice`` (a bulk action or a step of several) through the bulk bar on one complaint in each status:
    what disagrees with ``takes``. A complaint taken ends where the last action leads and is replaced by a new one
    in its status; a complaint refused is left exactly as it was."""
    names = STEPS.get(choice, (choice,))
    args = {key: value for name in names for key, value in _args(name, complaints).items()}
    before = {status: status_of(engine, code) for status, code in codes.items()}
    failed = _bulk_bar(client, list(codes.values()), choice, args)
    wrong = []
    for status, code in codes.items():
        took = failed is not None and code not in failed
        now = status_of(engine, code)
        if took != takes[status]:
            wrong.append(f"{status.value} {choice}: bulk bar {'took' if took else 'refused'} it")
        if not took and now != before[status]:
            wrong.append(f"{status.value} {choice}: bulk bar refused it but changed it: {before[status]} -> {now}")
        target = ACTIONS[names[-1]].target
        if took and target is not None and now["status"] != target.value:
            wrong.append(f"{status.value} {choice}: bulk bar left it {now['status']}, not {target.value}")
        if took and "assign" in names and now["assignee"] != complaints.supervisor.username:
            wrong.append(f"{status.value} {choice}: bulk bar assigned it to {now['assignee']}")
        if took:
            codes[status] = complaints.make(status)
    return wrong


@pytest.fixture(autouse=True)
def door_to_jakarta(engine: Engine) -> Iterator[None]:
    """A door for Jakarta Pusat (3171), so a report forwarded there can fail to be sent and be resent."""
    from db.doors import encrypt_key, set_door

    with engine.begin() as conn:
        set_door(
            conn,
            "3171",
            protocol="open311",
            base_url="http://127.0.0.1:9/open311/v2",
            api_key_encrypted=encrypt_key("a secret", "a key"),
            remote_jurisdiction=None,
            service_map={},
        )
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM door WHERE jurisdiction_code = '3171'"))


@pytest.fixture
def staff_of(engine: Engine, accounts: Accounts) -> Iterator[dict[str, tuple[Account, Any]]]:
    from db.accounts import StaffUser, load_user

    made = {}
    for role in ROLES:
        account = accounts(role)
        with engine.connect() as conn:
            made[role] = (account, StaffUser.from_row(load_user(conn, user_id=account.id)))
    yield made


@pytest.mark.parametrize("role", ROLES)
def test_the_page_the_api_and_the_bulk_paths_offer_and_take_the_same_actions(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts, staff_of: Any, role: str
) -> None:
    supervisor = staff_of["field"][0]
    complaints = Complaints(engine, committed, supervisor)
    account, user = staff_of[role]
    headers = bearer(client, account)
    session_login(client, account)
    codes = {status: complaints.make(status) for status in Status}
    offered: dict[Status, list[str]] = {}
    stepped: dict[Status, list[str]] = {}
    wrong: list[str] = []

    for status in Status:
        with engine.connect() as conn:
            row = detail(conn, codes[status])
        offered[status], stepped[status] = available_actions(user, row), available_steps(user, row)
        assert set(offered[status]) <= STAFF_ACTIONS
        # The page offers the steps of several actions first ("verify_assign"), only where each is allowed in turn.
        on_page = stepped[status] + offered[status]
        assert all(STEPS[step][0] in offered[status] for step in on_page if step in STEPS)
        if _page_offers(client, codes[status]) != on_page:
            wrong.append(f"{status.value}: page offers {_page_offers(client, codes[status])}, not {on_page}")
        if may_open(user, "field"):
            steps = [a for a in offered[status] if a in ("start", "complete")]
            if _field_page_offers(client, codes[status]) != steps:
                wrong.append(f"{status.value}: field page shows {_field_page_offers(client, codes[status])}")

        for action in WALKED:
            code = codes[status]
            expected = 200 if action in offered[status] else 403 if refusal(user, action, row) else 409
            answer = client.post(
                f"/api/v1/complaints/{code}/transition",
                json={"action": action, **_args(action, complaints)},
                headers=headers,
            )
            if answer.status_code != expected:
                wrong.append(f"{status.value} {action}: API answered {answer.status_code}, not {expected}")
            if answer.status_code == 200:
                codes[status] = complaints.make(status)
            else:
                assert status_of(engine, code)["status"] == status.value, (action, answer.get_json())

    for action in WALKED:
        bulk = client.post(
            "/api/v1/complaints/bulk",
            json={"ids": list(codes.values()), "action": action, **_args(action, complaints)},
            headers=headers,
        )
        if bulk.status_code == 403:  # the role may not take it at all
            done = set()
        else:
            assert bulk.status_code == 200, (action, bulk.get_json())
            done = {r["id"] for r in bulk.get_json()["results"] if r["ok"]}
        for status, code in codes.items():
            if (code in done) != (action in offered[status]):
                wrong.append(f"{status.value} {action}: bulk {'took' if code in done else 'refused'} it")
            if code in done:
                codes[status] = complaints.make(status)

    if may_open(user, "operator"):
        bar = _bar_offers(client)
        for action in (a for a in BULK_ACTIONS if a in actions_of(user)):
            assert action in bar, (action, bar)
            wrong += _through_bar(client, engine, complaints, codes, action, {s: action in offered[s] for s in Status})
        # Steps of several actions ("verify_assign"): a report is taken when each action is offered in turn, whole
        # or not at all. One the bar does not offer this role is refused as a whole, and offered nowhere either.
        for step in BULK_STEPS:
            if (step in bar) != any(step in stepped[s] for s in Status):
                wrong.append(f"{step}: the bulk bar {'offers' if step in bar else 'does not offer'} it")
            wrong += _through_bar(client, engine, complaints, codes, step, {s: step in stepped[s] for s in Status})

    assert not wrong, f"{role}:\n" + "\n".join(wrong)
    # The walk reached something to compare: every role but the leader's is offered some action somewhere.
    assert any(offered.values()) == (role != "leader")
