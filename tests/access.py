"""The access matrix: every route, every profile, the expected answer.

Each feature adds its routes to ROUTES; tests/test_access_matrix.py runs them all. Expected values:
an HTTP status, or "login" for a redirect to the login page.
"""

from dataclasses import dataclass, field

PROFILES = ("anonymous", "employee", "admin", "manager", "referent", "staff")
LOGIN = "login"


@dataclass(frozen=True)
class Route:
    name: str
    expect: dict[str, int | str]
    args: tuple = ()
    method: str = "get"
    data: dict = field(default_factory=dict)


PORTAL_PAGE = {"anonymous": LOGIN, "employee": 200, "admin": 200, "manager": 200, "referent": 200, "staff": 302}
API_READ = {"anonymous": 403, "employee": 200, "admin": 200, "manager": 200, "referent": 200, "staff": 200}
PUBLIC = dict.fromkeys(PROFILES, 200)

ROUTES = [
    Route("portal:home", PORTAL_PAGE),
    Route("portal:area", PORTAL_PAGE, args=("prodotti",)),
    Route("portal:area", PORTAL_PAGE, args=("fai-da-te",)),
    # Without a line of one's own in the form there is nothing to switch to: 404 for everybody.
    Route("portal:switch_line", {**dict.fromkeys(PROFILES, 404), "anonymous": LOGIN, "staff": 302}, method="post"),
    Route("accounts:login", {**dict.fromkeys(PROFILES, 302), "anonymous": 200}),
    Route("api:me", API_READ),
    Route("api:schema", PUBLIC),  # the OpenAPI document is published (SPEC F-CH-2)
    Route("healthz", PUBLIC),
    Route("readyz", PUBLIC),
    # Employee registration: public; the later steps send back to the start without a registration under way.
    Route("accounts:register_employee", PUBLIC),
    Route("accounts:register_employee_code", dict.fromkeys(PROFILES, 302)),
    Route("accounts:register_employee_sim", dict.fromkeys(PROFILES, 302)),
    Route("accounts:register_employee_password", dict.fromkeys(PROFILES, 302)),
    # The same flow in the API: without a registration under way every step answers 400.
    *[
        Route(f"api:register_employee_{step}", dict.fromkeys(PROFILES, 400), method="post")
        for step in ("start", "code", "resend", "sim", "password")
    ],
    # Associa SIM: employees only; the association log: managers only.
    Route("accounts:sim_associations", {**PORTAL_PAGE, "admin": 403, "manager": 403, "referent": 403}),
    Route(
        "accounts:sim_association_confirm",
        {**PORTAL_PAGE, "employee": 302, "admin": 403, "manager": 403, "referent": 403},
    ),
    Route(
        "accounts:sim_disassociate",
        {**PORTAL_PAGE, "employee": 404, "admin": 403, "manager": 403, "referent": 403},
        args=(999999,),
        method="post",
    ),
    Route("accounts:sim_association_log", {**PORTAL_PAGE, "employee": 403}),
    Route("api:sims", {**API_READ, "admin": 403, "manager": 403, "referent": 403, "staff": 403}),
    Route("api:sim_association_log", {**API_READ, "employee": 403, "staff": 403}),
]
