"""The README's member-state story, told with the Python client that openapi-python-client
generates from openapi/openapi.json. .ci/run generates the client, starts a server and runs:

    python tools/clients/story.py BASE_URL ADMIN_PASSWORD CLIENT_DIR

CLIENT_DIR holds the generated package `palermo_client`. Exits non-zero on the first surprise.
"""

import sys

base_url, admin_password, client_dir = sys.argv[1:4]
sys.path.insert(0, client_dir)

from palermo_client import AuthenticatedClient, Client  # noqa: E402
from palermo_client.api.auth import create_token  # noqa: E402
from palermo_client.api.commitments import put_commitment  # noqa: E402
from palermo_client.api.indicator_values import (  # noqa: E402
    import_indicator_values,
    list_indicator_values,
    list_indicator_values_csv,
)
from palermo_client.api.member_states import get_member_state  # noqa: E402
from palermo_client.api.national_authorities import (  # noqa: E402
    create_national_authority,
    get_register_csv,
)
from palermo_client.api.reports import get_implementation_report  # noqa: E402
from palermo_client.api.users import create_user  # noqa: E402
from palermo_client.api.work_plans import list_guidelines  # noqa: E402
from palermo_client.models import (  # noqa: E402
    Batch,
    BatchRow,
    BatchRowDisaggregationType0,
    CommitmentInput,
    CommitmentStatus,
    ImportSummary,
    MemberState,
    NationalAuthorityInput,
    NewUserRequest,
    PageGuideline,
    PageIndicatorValue,
    Problem,
    Role,
    TokenRequest,
)


def expect(what, response, status, kind=None):
    if response.status_code != status:
        sys.exit(f"{what}: expected {status}, got {response.status_code}: {response.content[:500]!r}")
    if kind is not None and not isinstance(response.parsed, kind):
        sys.exit(f"{what}: expected a {kind.__name__}, got {type(response.parsed).__name__}")
    print(f"ok  {what}: {status}")
    return response.parsed


def sign_in(username, password):
    anonymous = Client(base_url=base_url)
    token = expect(
        f"sign in as {username}",
        create_token.sync_detailed(client=anonymous, body=TokenRequest(username=username, password=password)),
        200,
    )
    return AuthenticatedClient(base_url=base_url, token=token.access_token)


# 1. a token
admin = sign_in("admin", admin_password)

# 2. reference data, names in Spanish
arg = expect(
    "GET /member-states/ARG in Spanish",
    get_member_state.sync_detailed("ARG", client=admin, accept_language="es"),
    200,
    MemberState,
)
assert arg.code == "ARG" and arg.name == "Argentina", arg
page = expect(
    "GET /work-plans/WP2/guidelines?section=prevention&limit=5",
    list_guidelines.sync_detailed("WP2", client=admin, section="prevention", limit=5),
    200,
    PageGuideline,
)
assert 0 < len(page.items) <= 5, page

# 3. an account for Argentina's reporting system
expect(
    "POST /users (arg-system)",
    create_user.sync_detailed(
        client=admin,
        body=NewUserRequest(
            username="arg-system", password="a long service passphrase", role=Role.REPORTER, member_state="ARG"
        ),
    ),
    201,
)

# 4. a bad request gets a problem document naming the field
problem = expect(
    "POST /users with a short password",
    create_user.sync_detailed(
        client=admin, body=NewUserRequest(username="x", password="short", role=Role.REPORTER)
    ),
    422,
    Problem,
)
fields = [e.field for e in (problem.errors or [])]
assert fields, problem

# 5. Argentina's system pushes a table of indicator values, twice
system = sign_in("arg-system", "a long service passphrase")


def batch():
    female_child = BatchRowDisaggregationType0.from_dict({"sex": "female", "age_group": "child"})
    return Batch(
        values=[
            BatchRow(indicator="VICTIMS_DETECTED", period="2019", disaggregation=female_child, value=42),
            BatchRow(indicator="VICTIMS_DETECTED", period="2019", disaggregation=BatchRowDisaggregationType0(), value=310),
        ]
    )


first = expect(
    "POST /indicator-values/batch",
    import_indicator_values.sync_detailed(client=system, body=batch()),
    200,
    ImportSummary,
)
assert (first.received, first.created, first.rejected) == (2, 2, 0), first
again = expect(
    "POST /indicator-values/batch again",
    import_indicator_values.sync_detailed(client=system, body=batch()),
    200,
    ImportSummary,
)
assert (again.created, again.unchanged) == (0, 2), again

# 6. ...records a commitment (idempotent PUT) and a register entry (retry-safe POST)
commitment = CommitmentInput(status=CommitmentStatus.IN_PROGRESS, lead_institution="Ministerio de Seguridad")
expect("PUT /member-states/ARG/commitments/WP2/12", put_commitment.sync_detailed("ARG", "WP2", 12, client=system, body=commitment), 201)
expect("PUT it again", put_commitment.sync_detailed("ARG", "WP2", 12, client=system, body=commitment), 200)
entry = NationalAuthorityInput.from_dict(
    {"role": "national_point_of_contact", "institution": "Ministerio de Justicia", "email": "trata@jus.gob.ar"}
)
created = expect(
    "POST /national-authorities",
    create_national_authority.sync_detailed(client=system, body=entry, idempotency_key="arg-npc-2026"),
    201,
)
replayed = create_national_authority.sync_detailed(client=system, body=entry, idempotency_key="arg-npc-2026")
expect("POST it again with the same Idempotency-Key", replayed, 201)
assert replayed.headers.get("Idempotent-Replayed") == "true", replayed.headers
assert replayed.parsed.id == created.id

# 7. dashboards read: values (JSON and CSV), the published register as CSV, the report
values = expect(
    "GET /indicator-values?indicator=VICTIMS_DETECTED&member_state=ARG&sex=female",
    list_indicator_values.sync_detailed(client=admin, indicator="VICTIMS_DETECTED", member_state=["ARG"], sex="female"),
    200,
    PageIndicatorValue,
)
assert [v.value for v in values.items] == [42], values
csv = expect(
    "GET /indicator-values.csv?indicator=VICTIMS_DETECTED&member_state=ARG&sex=female",
    list_indicator_values_csv.sync_detailed(client=admin, indicator="VICTIMS_DETECTED", member_state=["ARG"], sex="female"),
    200,
    str,
)
assert len(csv.strip().splitlines()) == 2, csv
register = expect("GET /register.csv", get_register_csv.sync_detailed(client=admin), 200, str)
assert "Ministerio de Justicia" in register, register[:500]
report = expect(
    "GET /reports/implementation?work_plan=WP2",
    get_implementation_report.sync_detailed(client=admin, work_plan="WP2"),
    200,
)
print("the member-state story runs with the generated client")
