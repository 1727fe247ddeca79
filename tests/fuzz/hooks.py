"""Checks schemathesis runs on every response of the API fuzz test (tests/e2e/tests/fuzz.rs).

Loaded with SCHEMATHESIS_HOOKS=hooks (PYTHONPATH=tests/fuzz). Besides schemathesis's own
`not_a_server_error`, every 4xx must carry a stable error code a client can branch on:

- the OMS services (OMS_FUZZ_ERRORS=problem): `application/problem+json` whose `status` is the
  response's and whose `code` is SCREAMING_SNAKE (`NOT_FOUND`, `INVALID_QUERY`, ...);
- the local schema registry (OMS_FUZZ_ERRORS=confluent): Confluent's `{"error_code": n,
  "message": ...}`, because Confluent clients parse exactly that.
"""

import json
import os
import re

import schemathesis

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
ERRORS = os.environ.get("OMS_FUZZ_ERRORS", "problem")


def _body(response):
    try:
        return json.loads(response.content or b"null")
    except ValueError as error:
        raise AssertionError(f"the {response.status_code} body is not JSON: {error}") from None


@schemathesis.check
def client_errors_carry_a_stable_code(ctx, response, case):
    """Every 4xx names its problem with a stable code, in the service's error format."""
    status = response.status_code
    if status < 400 or status >= 500:
        return None
    content_type = response.headers.get("content-type", [""])
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    body = _body(response)
    if ERRORS == "confluent":
        if not isinstance(body, dict) or not isinstance(body.get("error_code"), int):
            raise AssertionError(f"{status} without a numeric error_code: {body!r}")
        if not isinstance(body.get("message"), str):
            raise AssertionError(f"{status} without a message: {body!r}")
        return None
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"{status} is {content_type!r}, not application/problem+json")
    if not isinstance(body, dict):
        raise AssertionError(f"{status} problem is not an object: {body!r}")
    if body.get("status") != status:
        raise AssertionError(f"problem status {body.get('status')!r} is not the response's {status}")
    code = body.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise AssertionError(f"{status} problem has no stable code: {code!r}")
    return None
