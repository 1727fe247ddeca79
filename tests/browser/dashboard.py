"""The operations dashboard in a real headless browser (Chromium from Debian, driven by
Playwright for Python), against a running stack.

Run by the end-to-end test `dashboard_shows_orders_live_and_an_operator_retry_clears_fallout`
(tests/e2e/tests/projections.rs), which starts every service and passes the addresses. What it
checks, through the page only:

1. an order placed with the CPQ simulator (`omsctl quote accept`) appears in the summary list,
   progresses (a state before COMPLETED is seen) and completes on the order page, whose plan
   graph, items and timeline (events of every service) are shown;
2. an order whose network activation fails permanently appears in the fallout queue, and an
   operator retry from the page (after the downstream system is repaired) clears the case and
   the order completes.

Screenshots of the main pages go to --screenshots. Prints one JSON line with what it saw.
"""

import argparse
import json
import subprocess
import sys
import time
import urllib.request
import uuid

from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAULT = "/api/v1/simulators/NETWORK_PROVISIONING/faults/ACTIVATE_SERVICE"


def log(message):
    print(f"[dashboard.py] {message}", file=sys.stderr, flush=True)


def call(method, url, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def place(args, sample, customer):
    """Publishes an accepted quote as CPQ would, for `customer`."""
    command = [
        args.omsctl,
        "--brokers", args.brokers,
        "--schema-registry-url", args.registry,
        "--topic-prefix", args.prefix,
        "quote", "accept",
        "--sample", sample,
        "--customer", customer,
        "--account", customer.replace("cust-", "acct-"),
        "--billing-account", customer.replace("cust-", "ba-"),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    log(f"placed {sample} for {customer}")


def shoot(page, args, name):
    if args.screenshots:
        path = f"{args.screenshots}/{name}.png"
        page.screenshot(path=path, full_page=False)
        log(f"screenshot {path}")


def sign_in(page, args):
    page.goto(f"{args.dashboard}/dashboard/")
    page.get_by_test_id("token-input").fill(args.token)
    page.get_by_test_id("sign-in").click()
    expect(page.locator("#live")).to_have_attribute("data-state", "on", timeout=20_000)


def follow_order(page, args, customer):
    """Waits for the customer's order in the list, opens it, and watches it complete."""
    page.goto(f"{args.dashboard}/dashboard/#/orders?q={customer}")
    row = page.get_by_test_id("order-row")
    seen = []
    place(args, "fiber-bundle", customer)
    expect(row).to_have_count(1, timeout=60_000)
    seen.append(row.get_attribute("data-state"))
    order_id = row.get_attribute("data-order-id")
    log(f"order {order_id} appeared in the list as {seen[-1]}")
    row.click()
    state = page.get_by_test_id("order-state")
    expect(state).to_be_visible(timeout=20_000)
    deadline = time.monotonic() + 120
    shot_in_progress = False
    while time.monotonic() < deadline:
        current = state.get_attribute("data-state")
        if not seen or seen[-1] != current:
            seen.append(current)
            log(f"order page shows {current}")
        if current == "IN_PROGRESS" and not shot_in_progress:
            page.wait_for_timeout(600)
            shoot(page, args, "order-in-progress")
            shot_in_progress = True
        if current == "COMPLETED":
            break
        page.wait_for_timeout(150)
    assert seen[-1] == "COMPLETED", f"the order never completed on the page: {seen}"
    assert any(s != "COMPLETED" for s in seen), f"no progress was visible: {seen}"
    expect(page.get_by_test_id("plan-graph")).to_be_visible()
    expect(page.locator('[data-testid="plan-graph"] .node[data-status="SUCCEEDED"]').first).to_be_visible()
    expect(page.get_by_test_id("item-row").first).to_be_visible()
    timeline = page.get_by_test_id("timeline-event")
    expect(timeline.last).to_have_attribute("data-event-type", "OrderCompleted", timeout=20_000)
    services = set(timeline.evaluate_all("els => els.map(e => e.dataset.service)"))
    assert services >= {"order-capture", "decomposition", "fulfillment", "asset"}, services
    page.wait_for_timeout(400)
    shoot(page, args, "order")
    return order_id, seen, len(timeline.all())


def retry_fallout(page, args, customer):
    """A permanent activation failure lands in the queue; an operator retry clears it."""
    assert call("PUT", f"{args.fulfillment}{FAULT}", args.token, {"mode": "PERMANENT"}) < 300
    page.goto(f"{args.dashboard}/dashboard/#/fallouts")
    place(args, "fiber-bundle", customer)
    rows = page.get_by_test_id("fallout-row").filter(has_text=customer)
    expect(rows.first).to_be_visible(timeout=90_000)
    order_id = rows.first.get_attribute("data-order-id")
    code = rows.first.get_attribute("data-code")
    log(f"fallout {code} of order {order_id} is in the queue")
    page.wait_for_timeout(500)
    shoot(page, args, "fallout-queue")
    # Repair the downstream system, then retry every case of the order from the page.
    assert call("DELETE", f"{args.fulfillment}{FAULT}", args.token) < 300
    retried = 0
    while rows.count() > 0 and retried < 5:
        rows.first.locator('[data-action="retry-task"]').click()
        dialog = page.get_by_test_id("action-dialog")
        expect(dialog).to_be_visible()
        dialog.locator('input[name="reason"]').fill("service profile fixed in the OSS")
        dialog.get_by_test_id("action-submit").click()
        expect(dialog).to_be_hidden(timeout=15_000)
        retried += 1
        page.wait_for_timeout(1500)
    expect(rows).to_have_count(0, timeout=60_000)
    log(f"queue cleared after {retried} retry(ies)")
    page.goto(f"{args.dashboard}/dashboard/#/orders/{order_id}")
    expect(page.get_by_test_id("order-state")).to_have_attribute("data-state", "COMPLETED", timeout=90_000)
    expect(page.get_by_test_id("order-fallout").first).to_have_attribute("data-status", "CLOSED")
    return order_id, code, retried


def main():
    parser = argparse.ArgumentParser()
    for name in ["dashboard", "token", "omsctl", "brokers", "registry", "prefix", "fulfillment"]:
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--screenshots", default="")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:8]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(20_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, args)

        # Background for the other pages: an order that can never be decomposed, one that is
        # rejected, and a mobile order.
        place(args, "unmapped", f"cust-unmapped-{tag}")
        place(args, "invalid", f"cust-invalid-{tag}")
        place(args, "mobile", f"cust-mobile-{tag}")

        completed, states, events = follow_order(page, args, f"cust-live-{tag}")
        repaired, code, retried = retry_fallout(page, args, f"cust-fallout-{tag}")

        page.goto(f"{args.dashboard}/dashboard/#/orders")
        expect(page.get_by_test_id("order-row").first).to_be_visible()
        page.wait_for_timeout(800)
        shoot(page, args, "orders")
        page.goto(f"{args.dashboard}/dashboard/#/stuck")
        expect(page.get_by_test_id("stuck-table")).to_be_visible()
        page.wait_for_timeout(800)
        shoot(page, args, "stuck-orders")
        page.goto(f"{args.dashboard}/dashboard/#/flow")
        expect(page.get_by_test_id("lag-row").first).to_be_visible(timeout=20_000)
        page.wait_for_timeout(800)
        shoot(page, args, "flow")
        browser.close()

    assert not errors, f"the page raised errors: {errors}"
    print(json.dumps({
        "completedOrder": completed,
        "statesSeen": states,
        "timelineEvents": events,
        "repairedOrder": repaired,
        "falloutCode": code,
        "retries": retried,
    }))


if __name__ == "__main__":
    main()
