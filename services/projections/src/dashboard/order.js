// One order: what it is, where it stands, what blocks it (holds, fallout, with the actions
// that clear them), its items, its plan as a dependency graph, and its timeline across every
// service in causal order.

import { get } from "./api.js";
import { LEGEND, planGraph } from "./graph.js";
import { actionButtons, ago, clock, duration, empty, h, money, pill, replace, shortId, time, words } from "./ui.js";

const STEPS = [
  ["SUBMITTED", "Captured"],
  ["VALIDATED", "Validated"],
  ["DECOMPOSED", "Decomposed"],
  ["IN_PROGRESS", "In progress"],
  ["COMPLETED", "Completed"],
];
const TERMINAL_BAD = { REJECTED: "Rejected", CANCELLED: "Cancelled", FAILED_CLOSED: "Closed as failed" };

function steps(summary) {
  const m = summary.milestones;
  const reached = (state) => (state === "SUBMITTED" ? summary.capturedAt : m[state]);
  const list = STEPS.map(([state, label]) => ({ state, label, at: reached(state) }));
  const end = TERMINAL_BAD[summary.state];
  if (end) list.splice(list.findIndex((s) => !s.at), Infinity, { state: summary.state, label: end, at: summary.stateEnteredAt, bad: true });
  const currentIndex = list.reduce((acc, s, i) => (s.at ? i : acc), 0);
  const falloutNow = summary.state === "FALLOUT";
  return h(
    "div",
    { class: "steps", "data-testid": "milestones" },
    list.map((s, i) => {
      let cls = s.at ? "done" : "";
      if (i === currentIndex && summary.state !== "COMPLETED") cls = falloutNow || s.bad ? "bad" : "current";
      if (s.bad) cls = "bad";
      return h(
        "div",
        { class: `step ${cls}` },
        h("div", { class: "name" }, i === currentIndex && falloutNow ? `${s.label} · fallout` : s.label),
        h("div", {}, s.at ? time(s.at) : "—"),
      );
    }),
  );
}

function fact(k, v) {
  return h("div", { class: "fact" }, h("div", { class: "k" }, k), h("div", { class: "v" }, v ?? "—"));
}

function itemsTable(order) {
  if (!order.items.length) return empty("Items appear once the order is validated.");
  const byId = new Map(order.items.map((i) => [i.itemId, i]));
  return h(
    "table",
    { "data-testid": "items-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Offering"), h("th", {}, "Action"), h("th", {}, "State"), h("th", {}, "Asset"), h("th", { class: "num" }, "Total"))),
    h(
      "tbody",
      {},
      order.items.map((item) =>
        h(
          "tr",
          { "data-testid": "item-row", "data-state": item.state },
          h("td", { class: "muted" }, item.lineNumber),
          h(
            "td",
            {},
            h("div", { style: item.parentId ? "padding-left:14px" : "" }, item.parentId ? "↳ " : "", item.offeringName || item.offeringId),
            h("div", { class: "small muted mono", style: item.parentId ? "padding-left:14px" : "" }, item.offeringId, item.dependsOn.length ? ` · after ${item.dependsOn.map((d) => byId.get(d)?.lineNumber ?? shortId(d)).join(", ")}` : ""),
          ),
          h("td", {}, words(item.action)),
          h("td", {}, pill(item.state), item.fulfillmentState !== "COMPLETED" ? h("div", { class: "small muted", style: "margin-top:3px" }, words(item.fulfillmentState)) : null),
          h("td", { class: "mono small nowrap", title: item.actualAssetId || item.targetAssetId || "" }, shortId(item.actualAssetId || item.targetAssetId) || "—"),
          h("td", { class: "num nowrap" }, money(item.total, item.currency)),
        ),
      ),
    ),
  );
}

function tasksTable(tasks) {
  return h(
    "table",
    { "data-testid": "tasks-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "Task"), h("th", {}, "System"), h("th", {}, "Status"), h("th", { class: "num" }, "Attempt"), h("th", {}, "Last error / reference"), h("th", {}, "Since"))),
    h(
      "tbody",
      {},
      tasks.map((t) =>
        h(
          "tr",
          { id: `task-${t.taskId}`, "data-testid": "task-row", "data-status": t.status },
          h("td", { class: "mono small" }, t.taskType || shortId(t.taskId)),
          h("td", { class: "small" }, t.targetSystem || "—"),
          h("td", {}, pill(t.status)),
          h("td", { class: "num" }, t.attempt ?? "—"),
          h("td", { class: "small" }, t.lastError ? h("span", { class: t.status === "SUCCEEDED" ? "muted" : "" }, `${t.lastError.code}: ${t.lastError.message}`) : t.externalRef ? h("span", { class: "mono muted" }, t.externalRef) : "—"),
          h("td", { class: "small nowrap" }, ago(t.statusAt)),
        ),
      ),
    ),
  );
}

function timelineList(timeline) {
  return h(
    "ol",
    { class: "timeline", "data-testid": "timeline" },
    timeline.events.map((e) =>
      h(
        "li",
        { "data-testid": "timeline-event", "data-event-type": e.eventType, "data-service": e.service },
        h("div", { class: "pos" }, e.position),
        h("div", {}, h("div", { class: `svc ${e.service}` }, e.service), h("div", { class: "small muted mono", style: "margin-top:3px", title: e.occurredAt }, clock(e.occurredAt))),
        h(
          "div",
          { class: "what" },
          h("div", {}, h("span", { class: "type" }, e.eventType), e.orderVersion ? h("span", { class: "muted small" }, ` v${e.orderVersion}`) : null),
          h("div", {}, e.summary, e.subject ? h("span", { class: "mono small muted" }, ` — ${e.subject}`) : null),
          h(
            "div",
            { class: "meta" },
            `${words(e.actor.kind)} ${e.actor.id}`,
            e.reason ? ` · “${e.reason}”` : "",
            e.causedBy ? ` · after #${e.causedBy}` : "",
            e.traceId ? h("span", { class: "mono", title: "trace id" }, ` · trace ${e.traceId.slice(0, 12)}`) : "",
          ),
        ),
      ),
    ),
  );
}

function holdsTable(order, session, reload) {
  if (!order.holds.length) return empty("No holds.");
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, h("th", {}, "Hold"), h("th", {}, "Reason"), h("th", {}, "Placed"), h("th", {}, "Released"), h("th", {}, ""))),
    h(
      "tbody",
      {},
      order.holds.map((hold) =>
        h(
          "tr",
          { "data-testid": "hold-row", "data-active": String(hold.active) },
          h("td", {}, pill(hold.active ? "ACTION_REQUIRED" : "CLOSED", words(hold.holdType)), hold.blocking ? h("div", { class: "small muted" }, "blocking") : null),
          h("td", {}, hold.reason),
          h("td", { class: "small" }, time(hold.placedAt), h("div", { class: "muted" }, hold.placedBy)),
          h("td", { class: "small" }, hold.releasedAt ? [time(hold.releasedAt), h("div", { class: "muted" }, `${hold.releasedBy}: ${hold.releaseReason}`)] : "—"),
          h("td", {}, actionButtons(hold.actions, `${words(hold.holdType)} hold`, session, reload)),
        ),
      ),
    ),
  );
}

function falloutTable(order, session, reload) {
  if (!order.fallouts.length) return empty("No fallout.");
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, h("th", {}, "Case"), h("th", {}, "What happened"), h("th", {}, "Raised"), h("th", {}, "Outcome"))),
    h(
      "tbody",
      {},
      order.fallouts.map((c) =>
        h(
          "tr",
          { "data-testid": "order-fallout", "data-status": c.status },
          h("td", {}, pill(c.status === "OPEN" ? "FALLOUT" : "CLOSED", words(c.category)), h("div", { class: "mono small", style: "margin-top:3px" }, c.code)),
          h("td", { class: "small" }, c.message, c.remediation ? h("div", { class: "muted" }, `Remediation: ${c.remediation}`) : null),
          h("td", { class: "small nowrap" }, time(c.raisedAt), h("div", { class: "muted" }, c.raisedBy)),
          h("td", { class: "small" }, c.status === "OPEN" ? [h("div", { class: "muted", style: "margin-bottom:4px" }, `open for ${duration(c.ageSeconds)}`), actionButtons(c.actions, order.summary.orderNumber, session, reload)] : [`${words(c.closedWith)} · ${time(c.closedAt)}`, h("div", { class: "muted" }, c.closedBy)]),
        ),
      ),
    ),
  );
}

export function orderPage(ctx, orderId) {
  let main = null;
  async function load() {
    const [order, timeline] = await Promise.all([get(`/api/v1/orders/${orderId}`), get(`/api/v1/orders/${orderId}/timeline`)]);
    const s = order.summary;
    const openCases = order.fallouts.filter((c) => c.status === "OPEN");
    const blocking = order.holds.filter((hld) => hld.active && hld.blocking);
    const reload = () => load().catch(ctx.fail);
    const showTask = (task) => document.getElementById(`task-${task.taskId}`)?.scrollIntoView({ behavior: "smooth", block: "center" });
    replace(
      main,
      h("div", { class: "crumbs" }, h("a", { href: "#/orders" }, "Orders"), " / ", s.orderNumber),
      h(
        "div",
        { class: "page-head" },
        h(
          "div",
          {},
          h("h1", { "data-testid": "order-number" }, s.orderNumber, " ", h("span", { "data-testid": "order-state", "data-state": s.state }, pill(s.state)), " ", pill(s.customerStatus.code, `Customer sees: ${s.customerStatus.label}`, "outline")),
          h("div", { class: "sub" }, `${s.customerId} · ${s.accountId} · captured ${time(s.capturedAt)} · last event ${ago(s.lastEventAt)}`),
        ),
        h("div", { class: "mono small muted" }, s.orderId),
      ),
      openCases.map((c) =>
        h(
          "div",
          { class: "callout red", "data-testid": "fallout-callout" },
          h("div", {}, h("div", { class: "title" }, `Fallout: ${c.code}`), h("div", { class: "small" }, c.message), c.remediation ? h("div", { class: "small muted" }, c.remediation) : null),
          actionButtons(c.actions, s.orderNumber, ctx.session, reload),
        ),
      ),
      blocking.map((hld) =>
        h(
          "div",
          { class: "callout amber" },
          h("div", {}, h("div", { class: "title" }, `${words(hld.holdType)} hold blocks this order`), h("div", { class: "small" }, hld.reason)),
          actionButtons(hld.actions, `${words(hld.holdType)} hold`, ctx.session, reload),
        ),
      ),
      h(
        "div",
        { class: "panel" },
        steps(s),
        h("div", { style: "height:14px" }),
        h(
          "div",
          { class: "facts" },
          fact("Order type", words(s.orderType)),
          fact("Capture mode", words(s.captureMode)),
          fact("Channel", `${order.source.channel} (${order.source.system})`),
          fact("Quote", order.source.quoteId ? h("span", { title: order.source.quoteId, class: "mono" }, `${order.source.quoteId.slice(0, 14)}… rev ${order.source.quoteRevision}`) : order.source.externalOrderRef),
          fact("Billing account", order.billingAccountId),
          fact("Total", money(s.orderTotal, s.currency)),
          fact("Requested completion", order.requestedCompletion),
          fact("Version", s.version),
          fact("Plan", order.plan.planId ? h("span", { class: "mono" }, shortId(order.plan.planId)) : "—"),
        ),
      ),
      h(
        "div",
        { class: "panel" },
        h("h2", {}, `Plan: ${order.plan.tasks.length} tasks, dependencies left to right`),
        order.plan.tasks.length
          ? [
              h("div", { class: "graph-wrap" }, planGraph(order.plan.tasks, showTask)),
              h("div", { class: "legend" }, LEGEND.map(([status, label]) => h("span", {}, pill(status, label)))),
            ]
          : empty("No plan yet."),
      ),
      h(
        "div",
        { class: "grid two", style: "margin-top:14px" },
        h(
          "div",
          { class: "grid" },
          h("div", { class: "panel flush" }, h("h2", {}, `Items (${s.items.total})`), h("div", { class: "scroll" }, itemsTable(order))),
          order.plan.tasks.length ? h("div", { class: "panel flush" }, h("h2", {}, "Tasks"), h("div", { class: "scroll" }, tasksTable(order.plan.tasks))) : null,
          h("div", { class: "panel flush" }, h("h2", {}, "Holds"), h("div", { class: "scroll" }, holdsTable(order, ctx.session, reload))),
          h("div", { class: "panel flush" }, h("h2", {}, "Fallout"), h("div", { class: "scroll" }, falloutTable(order, ctx.session, reload))),
          order.violations.length
            ? h("div", { class: "panel" }, h("h2", {}, "Validation findings"), order.violations.map((v) => h("div", { class: "small" }, pill(v.severity === "ERROR" ? "FAILED" : "RETRY_SCHEDULED", v.severity), " ", h("span", { class: "mono" }, v.code), ` ${v.path}: ${v.message}`)))
            : null,
        ),
        h("div", { class: "panel sticky" }, h("h2", {}, `Timeline: ${timeline.events.length} events, causal order`), timelineList(timeline)),
      ),
    );
  }
  return {
    title: "Order",
    async render(el) {
      main = el;
      await load();
    },
    refresh: load,
    wants(changes) {
      return changes.reload || changes.orders.includes(orderId);
    },
  };
}
