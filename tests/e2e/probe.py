"""Every route of a service, called with another agency's real ids: what an intruder or an officer
whose role may not act gets back. Used by test_lifecycle.py on a nomination in flight."""

import base64
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.helpers import PUBLIC_ROUTES as PUBLIC
from tests.helpers import auth, document

# The caller's own account: they act on the caller, whoever asks (logging out would end the probe).
SELF = {
    ("GET", "/me"),
    ("POST", "/auth/logout"),
    ("GET", "/auth/tokens"),
    ("POST", "/auth/tokens"),
    ("POST", "/auth/password"),
    ("POST", "/auth/totp"),
    ("POST", "/auth/totp/confirm"),
    ("GET", "/delegations/me"),
}

# Routes that answer the caller about its own agency: they may succeed, but show nothing of another's.
OWN_AGENCY = {
    ("GET", "/nominations"),
    ("GET", "/inbox"),
    ("GET", "/councils"),
    ("GET", "/delegations"),
    ("GET", "/nominees"),
    ("GET", "/officers"),
    ("GET", "/audit/verify"),
    ("GET", "/audit/checkpoints"),  # the service's logs, not an agency's
    ("GET", "/audit/alarms"),
    # An agency's succession is hashes, signatures and counts: whoever may verify the log reads it (0039).
    ("GET", "/audit/agencies/{agency_code}/succession"),
    ("GET", "/routes"),
    ("GET", "/awards"),
    ("GET", "/statistics/awards-by-province"),
    ("GET", "/statistics/report"),
    ("GET", "/statistics/report.xlsx"),
    ("GET", "/statistics/report.svg"),
    ("GET", "/statistics/report.csv"),
    ("GET", "/statistics/forms"),
    ("GET", "/statistics/forms/{code}"),
    ("GET", "/statistics/forms/{code}.csv"),
    ("GET", "/statistics/forms/{code}.xlsx"),
    ("GET", "/reorganizations/{code}"),
    ("POST", "/councils"),  # the caller's own new council
    ("GET", "/movements"),  # the movements open to the caller's agency
    ("POST", "/movements"),  # the caller's own new movement
    ("GET", "/clusters"),  # the clusters the caller's agency organises or belongs to
    ("GET", "/clusters/requests"),  # what the caller's agency sent to clusters kept elsewhere
    ("POST", "/clusters"),  # the caller's own new cluster
    ("GET", "/batches"),  # the caller's own tờ trình
    ("POST", "/batches"),  # the caller's own new tờ trình
    ("GET", "/decisions"),  # the caller's agency's own decisions
}

# What an officer whose role may not act may still send: questions, not acts (a dry run applies nothing).
QUESTIONS = {
    ("POST", "/eligibility/check"),
    ("POST", "/meetings/{meeting_id}/receipts/verify"),
    ("POST", "/reorganizations/{code}/dry-run"),
}


@dataclass
class Target:
    """The owner's real records at one service, and the words that must not reach anyone else."""

    ids: dict[str, str]
    owner: str
    award: str
    nominee_name: str
    markers: set[str] = field(default_factory=set)

    def path(self, template: str) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: self.ids.get(m.group(1), "x"), template)

    def body(self, method: str, template: str) -> dict[str, Any] | None:
        """A valid body for each route that takes one, naming the owner's records: a refusal must
        come from the rules, not from request validation."""
        ids, day = self.ids, "2025-05-15"
        reason = {"reason": "Thử truy cập trái phép"}
        decision = {"decision_no": "9/QĐ-THU", "reason": "Thử truy cập trái phép"}
        item = {"nomination_id": ids["nomination_id"], "award_code": self.award, "nominee_name": self.nominee_name}
        bodies: dict[str, dict[str, Any] | None] = {
            "/auth/tokens/{token_id}/revoke": None,
            "/officers": {"username": "probe.officer", "name": "Thử", "role": "clerk", "password": "Mat-khau-du-dai-1"},
            "/officers/{officer_id}/deactivate": None,
            "/officers/{officer_id}/role": {"role": "admin"},
            "/officers/{officer_id}/email": {"email": "tham.do@example.gov.vn"},
            "/officers/{officer_id}/reset-password": None,
            "/nominations": {
                "nominee_name": self.nominee_name,
                "award_code": "GIAY_KHEN",
                "reason": "Thử",
                "nominee_id": ids["nominee_id"],
            },
            "/nominations/{nomination_id}/documents": document("bao_cao_thanh_tich", "thử"),
            "/nominations/{nomination_id}/submit": None,
            "/nominations/{nomination_id}/resubmit": reason,
            "/nominations/{nomination_id}/withdraw": reason,
            "/reviews/{nomination_id}/decision": {"action": "forward", "reason": "Thử"},
            "/nominations/{nomination_id}/hold": reason,
            "/nominations/{nomination_id}/release": reason,
            "/eligibility/check": {"award_code": "CSTD_CO_SO", "nominee_id": ids["nominee_id"]},
            "/nominees": {"id": ids["nominee_id"], "name": self.nominee_name},
            "/nominees/{nominee_id}/facts": {"facts": [{"kind": "hold", "reason": "complaint", "start": day}]},
            "/nominees/{nominee_id}/facts/{fact_key}/retract": reason,
            "/nominees/{nominee_id}/erasure": {"basis": "subject_request", "reason": "Thử xóa dữ liệu"},
            "/reorganizations/{code}/dry-run": None,
            "/reorganizations/{code}/apply": None,
            "/reviews/{nomination_id}/documents": document("to_trinh", "thử"),
            "/councils": {"name": "Hội đồng thử"},
            "/councils/{council_id}/members": {"officer_id": ids["officer_id"], "position": "member", "from": day},
            "/councils/{council_id}/members/{officer_id}/leave": {"on": day},
            "/councils/{council_id}/meetings": {"held_on": day, "items": [item], "present": []},
            "/meetings/{meeting_id}/items/{nomination_id}/votes": {"vote": "no"},
            "/meetings/{meeting_id}/items/{nomination_id}/close-round": None,
            "/meetings/{meeting_id}/ballots": {"votes": [{"nomination_id": ids["nomination_id"], "vote": "no"}]},
            "/meetings/{meeting_id}/close-rounds": {"nomination_ids": [ids["nomination_id"]]},
            "/meetings/{meeting_id}/items/{nomination_id}/rounds": {},
            "/meetings/{meeting_id}/items/{nomination_id}/chair-decision": {"passed": False, "reason": "Thử"},
            "/meetings/{meeting_id}/receipts/verify": {"receipt": "khong-co"},
            "/nominations/{nomination_id}/consultation": {"posted_on": day, "channel": "Cổng thông tin"},
            "/nominations/{nomination_id}/consultation/complaints/{comment_id}/hold": reason,
            "/nominations/{nomination_id}/consultation/complaints/{comment_id}/release": reason,
            "/awards/{nomination_id}/revoke": {"ground": "b", **decision},
            "/awards/{nomination_id}/strip": decision,
            "/awards/{nomination_id}/restore": decision,
            "/delegations": {"to_officer_id": ids["officer_id"], "from": day, "to": "2025-05-20", "reason": "Thử"},
            "/delegations/{delegation_id}/revoke": {},
            "/movements": {
                "name": "Phong trào thử",
                "theme": "Thử",
                "kind": "dot",
                "scope": "co_quan",
                "starts_on": day,
                "ends_on": "2025-12-31",
                "launch_document": "Kế hoạch thử",
            },  # fmt: skip
            "/movements/{code}/registrations": {"items": ["Thử"]},
            "/movements/{code}/reviews": {"kind": "so_ket", "held_on": day, "summary": "Thử"},
            "/movements/{code}/examples": {"name": "Thử", "agency_code": self.owner, "achievement": "Thử"},
            "/movements/{code}/status": {"status": "dang_xet_khen_thuong"},
            "/clusters": {"code": "PROBE-KHOI", "name": "Khối thử", "kind": "khoi", "formed_on": day},
            "/clusters/{code}/members": {"agency_code": self.owner, "starts_on": day},
            "/clusters/{code}/members/{agency_code}/leave": {"on": day},
            "/clusters/{code}/leads": {"agency_code": self.owner, "role": "truong", "starts_on": day, "ends_on": day},
            "/clusters/{code}/close": {"on": day, "note": "Thử"},
            "/clusters/{code}/years": {
                "year": 2025,
                "pledge_items": ["Thử"],
                "criteria": [{"code": "a", "text": "Thử", "max_points": 10}],
            },
            "/clusters/{code}/years/{year}/signatures": {"agency_code": self.owner},
            "/clusters/{code}/years/{year}/scores": {"agency_code": self.owner, "kind": "final", "points": {"a": 5}},
            "/clusters/{code}/years/{year}/ranking": {},
            "/batches": {"number": "1/TTr-THU", "title": "Thử"},
            "/batches/{batch_id}/nominations": {"nomination_ids": [ids["nomination_id"]]},
            "/batches/{batch_id}/submit": None,
            "/batches/{batch_id}/import": {"filename": "thu.csv", "content_base64": base64.b64encode(b"x").decode()},
            "/batches/{batch_id}/documents": document("to_trinh", "thử"),
            "/decisions": {"decision_no": "9/QĐ-THU", "nomination_ids": [ids["nomination_id"]]},
            "/reviews/decisions": {"action": "forward", "nomination_ids": [ids["nomination_id"]]},
            "/agencies": {"code": "PROBE-0001", "name": "Trường thử", "kind": "school", "parent_code": self.owner},
            "/events/dead-letters/replay": None,  # the whole service's: admins only
            "/agencies/import": {
                "filename": "thu.csv",
                "content_base64": base64.b64encode(
                    f"code,name,kind,parent_code\nPROBE-0002,Trường thử,school,{self.owner}\n".encode()
                ).decode(),
            },
        }
        if method == "GET":
            return None
        if template not in bodies:
            raise AssertionError(f"no probe body for {method} {template}: add one to tests/e2e/probe.py")
        return bodies[template]


async def routes(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    paths = (await client.get("/openapi.json")).json()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops]


async def probe(client: httpx.AsyncClient, target: Target, agency: str, role: str) -> list[str]:
    """Call every guarded route as `agency`'s `role`; return what should not have happened."""
    wrong: list[str] = []
    stranger = agency != target.owner
    for method, template in await routes(client):
        if (method, template) in PUBLIC | SELF:
            continue
        body = target.body(method, template)
        r = await client.request(method, target.path(template), headers=auth(agency, role), json=body)
        if not r.is_success:
            continue
        leaked = sorted(m for m in target.markers if m in r.text)
        if stranger and leaked:
            wrong.append(f"{agency}:{role} {method} {template} → {r.status_code} showing {leaked}")
        elif stranger and (method, template) not in OWN_AGENCY:
            wrong.append(f"{agency}:{role} {method} {template} → {r.status_code}")
        elif not stranger and method == "POST" and (method, template) not in QUESTIONS:
            wrong.append(f"{agency}:{role} may not act but {method} {template} → {r.status_code}")
    return wrong
