// The list pages: order summary, fallout queue, stuck orders, flow and lag.

import { get } from "./api.js";
import { actionButtons, ago, duration, empty, h, money, pill, replace, time, toast, words } from "./ui.js";

const ACTIVE = [
  "SUBMITTED",
  "VALIDATED",
  "DECOMPOSED",
  "IN_PROGRESS",
  "PARTIALLY_COMPLETED",
  "FALLOUT",
  "CANCELLATION_REQUESTED",
  "CANCELLING",
];

const PRESETS = [
  ["all", "All", {}],
  ["active", "Active", { state: ACTIVE.join(",") }],
  ["fallout", "Fallout", { fallout: "true" }],
  ["held", "On hold", { held: "true" }],
  ["completed", "Completed", { state: "COMPLETED" }],
  ["closed", "Rejected / cancelled", { state: "REJECTED,CANCELLED,FAILED_CLOSED" }],
];

function itemProgress(items) {
  const by = items.byState || {};
  const total = items.total || 0;
  const done = (by.COMPLETED || 0) + (by.WAIVED || 0) + (by.CANCELLED || 0);
  const failed = by.FAILED || 0;
  const active = (by.IN_PROGRESS || 0) + (by.CANCELLING || 0);
  const pct = (n) => (total ? `${(100 * n) / total}%` : "0");
  return h(
    "div",
    { class: "progress", title: Object.entries(by).map(([k, v]) => `${words(k)}: ${v}`).join(", ") || "not validated yet" },
    h("div", { class: "bar" }, h("span", { class: "done", style: `width:${pct(done)}` }), h("span", { class: "active", style: `width:${pct(active)}` }), h("span", { class: "failed", style: `width:${pct(failed)}` })),
    h("span", { class: "small muted nowrap" }, `${done}/${total}`),
  );
}

function flags(order) {
  return h(
    "span",
    { class: "flag" },
    order.fallout ? pill("FALLOUT", `${order.openFallouts} fallout`) : null,
    order.activeHolds ? pill(order.blockingHolds ? "ACTION_REQUIRED" : "PLANNED", `${order.activeHolds} hold${order.activeHolds > 1 ? "s" : ""}`) : null,
  );
}

function kpi(label, value, tone = "") {
  return h("div", { class: `kpi ${tone}` }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
}

/** The KPI strip: last hour's flow, open fallout, stuck orders. */
async function kpis(el) {
  const [flow, fallouts, stuck] = await Promise.all([
    get("/api/v1/flow/throughput", { minutes: 60 }),
    get("/api/v1/fallouts", { limit: 200 }),
    get("/api/v1/stuck-orders", { limit: 200 }),
  ]);
  replace(
    el,
    kpi("Captured, last 60 min", flow.captured),
    kpi("Completed, last 60 min", flow.completed, flow.completed ? "good" : ""),
    kpi("Fell out, last 60 min", flow.fallenOut, flow.fallenOut ? "bad" : ""),
    kpi("Open fallout cases", fallouts.items.length, fallouts.items.length ? "bad" : ""),
    kpi("Stuck orders", stuck.items.length, stuck.items.length ? "warn" : ""),
  );
  return { fallouts: fallouts.items.length, stuck: stuck.items.length };
}

export function ordersPage(ctx) {
  const params = ctx.params;
  const preset = PRESETS.find(([id]) => id === (params.get("view") || "all")) || PRESETS[0];
  const filter = { q: params.get("q") || "", customerStatus: params.get("customerStatus") || "" };
  const strip = h("div", { class: "kpis" });
  const body = h("tbody", {});
  const table = h(
    "table",
    { "data-testid": "orders-table" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", {}, "Order"), h("th", {}, "Customer"), h("th", {}, "State"), h("th", {}, "Customer sees"), h("th", {}, "Items"), h("th", {}, "Flags"), h("th", { class: "num" }, "Total"), h("th", {}, "Captured"), h("th", {}, "Last activity")),
    ),
    body,
  );
  const more = h("div", { class: "more", hidden: true });
  let cursor = null;
  let shown = 0;
  let known = new Map();

  const query = (extra = {}) => ({ ...preset[2], q: filter.q, customerStatus: filter.customerStatus, ...extra });

  function row(order, flash) {
    return h(
      "tr",
      {
        class: `clickable${flash ? " flash" : ""}`,
        "data-testid": "order-row",
        "data-order-id": order.orderId,
        "data-state": order.state,
        onclick: () => ctx.navigate(`#/orders/${order.orderId}`),
      },
      h("td", {}, h("a", { href: `#/orders/${order.orderId}`, class: "mono nowrap" }, order.orderNumber)),
      h("td", { class: "mono small" }, order.customerId),
      h("td", {}, pill(order.state)),
      h("td", {}, pill(order.customerStatus.code, order.customerStatus.label, "outline")),
      h("td", {}, itemProgress(order.items)),
      h("td", {}, flags(order)),
      h("td", { class: "num nowrap" }, money(order.orderTotal, order.currency)),
      h("td", { class: "nowrap small", title: time(order.capturedAt) }, ago(order.capturedAt)),
      h("td", { class: "nowrap small", title: time(order.lastEventAt) }, ago(order.lastEventAt)),
    );
  }

  async function load(reset) {
    const limit = reset ? Math.min(Math.max(shown, 50), 200) : 50;
    const page = await get("/api/v1/orders", query({ limit, cursor: reset ? null : cursor }));
    const fresh = new Map(page.items.map((o) => [o.orderId, `${o.version}:${o.lastEventAt}`]));
    const rows = page.items.map((o) => row(o, reset && known.size > 0 && known.get(o.orderId) !== fresh.get(o.orderId)));
    if (reset) {
      replace(body, rows);
      known = fresh;
      shown = page.items.length;
    } else {
      body.append(...rows);
      for (const [k, v] of fresh) known.set(k, v);
      shown += page.items.length;
    }
    if (!shown) replace(body, h("tr", {}, h("td", { colspan: 9 }, empty("No orders match."))));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }

  function navigateWith(changes) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    ctx.navigate(`#/orders?${next}`);
  }

  const search = h("input", {
    type: "search",
    placeholder: "Order number, customer id or order id",
    value: filter.q,
    "aria-label": "Search orders",
    "data-testid": "order-search",
  });
  search.addEventListener("change", () => navigateWith({ q: search.value.trim() }));
  const status = h(
    "select",
    { "aria-label": "Customer status", onchange: (e) => navigateWith({ customerStatus: e.target.value }) },
    h("option", { value: "" }, "Any customer status"),
    ["RECEIVED", "PROCESSING", "ACTION_REQUIRED", "COMPLETED", "CANCELLED", "REJECTED"].map((s) =>
      h("option", { value: s, selected: filter.customerStatus === s }, words(s)),
    ),
  );
  more.append(h("button", { class: "btn", type: "button", onclick: () => load(false).catch(ctx.fail) }, "Load more"));

  return {
    title: "Orders",
    async render(main) {
      replace(
        main,
        h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Orders"), h("div", { class: "sub" }, "Every order of your tenant, newest first. Updates live."))),
        strip,
        h(
          "div",
          { class: "filters" },
          search,
          h(
            "div",
            { class: "chips", role: "group", "aria-label": "View" },
            PRESETS.map(([id, label]) =>
              h("button", { class: "chip", type: "button", "aria-pressed": String(id === preset[0]), onclick: () => navigateWith({ view: id === "all" ? "" : id }) }, label),
            ),
          ),
          status,
        ),
        h("div", { class: "panel flush" }, table, more),
      );
      await Promise.all([load(true), kpis(strip).then(ctx.counts)]);
    },
    async refresh() {
      await Promise.all([load(true), kpis(strip).then(ctx.counts)]);
    },
  };
}

export function falloutsPage(ctx) {
  const body = h("tbody", {});
  const category = ctx.params.get("category") || "";
  async function load() {
    const queue = await get("/api/v1/fallouts", { category, limit: 200 });
    ctx.counts({ fallouts: queue.items.length });
    if (!queue.items.length) {
      replace(body, h("tr", {}, h("td", { colspan: 6 }, empty("No open fallout. Nothing needs repair."))));
      return;
    }
    replace(
      body,
      queue.items.map((c) =>
        h(
          "tr",
          { "data-testid": "fallout-row", "data-fallout-id": c.falloutId, "data-order-id": c.orderId, "data-code": c.code },
          h("td", { class: "nowrap" }, h("strong", {}, duration(c.ageSeconds)), h("div", { class: "small muted" }, time(c.raisedAt))),
          h("td", {}, h("a", { href: `#/orders/${c.orderId}`, class: "mono nowrap" }, c.orderNumber || c.orderId), h("div", { class: "small muted mono nowrap" }, c.customerId || "")),
          h("td", {}, pill("FALLOUT", words(c.category)), h("div", { class: "mono small", style: "margin-top:4px" }, c.code)),
          h("td", {}, c.taskType ? h("div", { class: "mono small" }, c.taskType) : h("span", { class: "muted" }, "—"), c.targetSystem ? h("div", { class: "small muted" }, c.targetSystem) : null),
          h("td", { style: "max-width:420px" }, h("div", {}, c.message), c.remediation ? h("div", { class: "small muted", style: "margin-top:3px" }, `Remediation: ${c.remediation}`) : null),
          h("td", {}, actionButtons(c.actions, c.orderNumber || c.orderId, ctx.session, () => load().catch(ctx.fail))),
        ),
      ),
    );
  }
  return {
    title: "Fallout queue",
    async render(main) {
      replace(
        main,
        h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Fallout queue"), h("div", { class: "sub" }, "Open cases, oldest first, with the repair each needs. Actions run at the owning service under your name."))),
        h(
          "div",
          { class: "filters" },
          h(
            "div",
            { class: "chips", role: "group", "aria-label": "Category" },
            ["", "FULFILLMENT", "DECOMPOSITION", "ITEM_FAILURE", "COMPENSATION", "MANUAL"].map((c) =>
              h("button", { class: "chip", type: "button", "aria-pressed": String(c === category), onclick: () => ctx.navigate(c ? `#/fallouts?category=${c}` : "#/fallouts") }, c ? words(c) : "All categories"),
            ),
          ),
        ),
        h("div", { class: "panel flush" }, h("table", { "data-testid": "fallout-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Age"), h("th", {}, "Order"), h("th", {}, "Category / code"), h("th", {}, "Task"), h("th", {}, "What happened"), h("th", {}, "Repair"))), body)),
      );
      await load();
    },
    refresh: load,
  };
}

export function stuckPage(ctx) {
  const body = h("tbody", {});
  const thresholds = h("span", { class: "chips", "aria-label": "Thresholds" });
  async function load() {
    const stuck = await get("/api/v1/stuck-orders", { limit: 200 });
    ctx.counts({ stuck: stuck.items.length });
    replace(thresholds, Object.entries(stuck.thresholds).map(([s, secs]) => pill("PLANNED", `${words(s)} ${duration(secs)}`)));
    if (!stuck.items.length) {
      replace(body, h("tr", {}, h("td", { colspan: 5 }, empty("No order is stuck."))));
      return;
    }
    replace(
      body,
      stuck.items.map((o) =>
        h(
          "tr",
          { class: "clickable", "data-testid": "stuck-row", "data-order-id": o.orderId, onclick: () => ctx.navigate(`#/orders/${o.orderId}`) },
          h("td", {}, h("a", { href: `#/orders/${o.orderId}`, class: "mono nowrap" }, o.orderNumber), h("div", { class: "small muted mono nowrap" }, o.customerId)),
          h("td", {}, pill(o.state), h("div", { class: "small muted", style: "margin-top:3px" }, `since ${time(o.stateEnteredAt)}`)),
          h("td", { class: "nowrap" }, h("strong", {}, duration(o.idleSeconds)), h("div", { class: "small muted" }, `limit ${duration(o.thresholdSeconds)}`)),
          h("td", {}, h("div", {}, `Waiting for ${o.waitingFor}`), o.details.map((d) => h("div", { class: "small muted mono" }, d))),
          h("td", { class: "nowrap small" }, ago(o.lastEventAt)),
        ),
      ),
    );
  }
  return {
    title: "Stuck orders",
    async render(main) {
      replace(
        main,
        h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Stuck orders"), h("div", { class: "sub" }, "Orders without any event for longer than their state allows, and what they wait for."))),
        h("div", { class: "thresholds" }, h("span", { class: "small muted" }, "Limits per state:"), thresholds),
        h("div", { class: "panel flush" }, h("table", { "data-testid": "stuck-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Order"), h("th", {}, "Stuck in"), h("th", {}, "Idle"), h("th", {}, "Where"), h("th", {}, "Last event"))), body)),
      );
      await load();
    },
    refresh: load,
  };
}

const SVG = "http://www.w3.org/2000/svg";

function chart(minutes) {
  const width = 960;
  const height = 150;
  const pad = 22;
  const max = Math.max(1, ...minutes.map((m) => Math.max(m.captured, m.completed, m.fallenOut)));
  const slot = (width - pad) / minutes.length;
  const bar = Math.max(1, slot / 3 - 1);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  add("line", { class: "axis", x1: pad, y1: height - 14, x2: width, y2: height - 14 });
  add("text", { x: 0, y: 10 }, String(max));
  minutes.forEach((m, i) => {
    const x = pad + i * slot;
    [["captured", m.captured], ["completed", m.completed], ["fallen", m.fallenOut]].forEach(([cls, n], j) => {
      if (!n) return;
      const hgt = ((height - 20) * n) / max;
      add("rect", { class: cls, x: x + j * (bar + 1), y: height - 14 - hgt, width: bar, height: hgt }).append(
        Object.assign(document.createElementNS(SVG, "title"), { textContent: `${new Date(m.minute).toLocaleTimeString()}: ${n} ${cls}` }),
      );
    });
    if (i % 10 === 0) add("text", { x, y: height - 2 }, new Date(m.minute).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }));
  });
  return svg;
}

export function flowPage(ctx) {
  const flowPanel = h("div", { class: "panel" });
  const lagPanel = h("div", { class: "panel flush" });
  async function load() {
    const flow = await get("/api/v1/flow/throughput", { minutes: 60 });
    replace(
      flowPanel,
      h("h2", {}, "Throughput, last 60 minutes"),
      h("div", { class: "legend" }, h("span", {}, h("i", { class: "captured" }), `Captured ${flow.captured}`), h("span", {}, h("i", { class: "completed" }), `Completed ${flow.completed}`), h("span", {}, h("i", { class: "fallen" }), `Fell out ${flow.fallenOut}`)),
      chart(flow.minutes),
    );
    if (!ctx.session.operator) {
      replace(lagPanel, h("h2", {}, "Consumer lag"), empty("Consumer lag needs the operator scope."));
      return;
    }
    const lag = await get("/api/v1/flow/lag");
    const rows = lag.groups.flatMap((g) =>
      g.error
        ? [h("tr", {}, h("td", {}, g.service), h("td", { class: "mono small" }, g.group), h("td", { colspan: 4, class: "small", style: "color:var(--red)" }, g.error))]
        : g.partitions.map((p, i) =>
            h(
              "tr",
              { "data-testid": "lag-row", "data-group": g.group, "data-lag": p.lag },
              h("td", {}, i ? "" : h("strong", {}, g.service)),
              h("td", { class: "mono small" }, i ? "" : g.group),
              h("td", { class: "mono small" }, `${p.topic} / ${p.partition}`),
              h("td", { class: "num" }, p.committed ?? "—"),
              h("td", { class: "num" }, p.highWatermark),
              h("td", { class: "num" }, p.lag ? h("strong", { style: "color:var(--amber)" }, p.lag) : "0"),
            ),
          ),
    );
    replace(
      lagPanel,
      h("h2", {}, `Consumer lag — measured ${time(lag.measuredAt)} · read model generation ${lag.generation}`),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Service"), h("th", {}, "Group"), h("th", {}, "Topic / partition"), h("th", { class: "num" }, "Committed"), h("th", { class: "num" }, "High watermark"), h("th", { class: "num" }, "Lag"))), h("tbody", {}, rows)),
    );
  }
  return {
    title: "Flow & lag",
    async render(main) {
      replace(main, h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Flow & lag"), h("div", { class: "sub" }, "Orders per minute by event time, and how far each consumer group is behind its topics."))), flowPanel, lagPanel);
      await load();
    },
    refresh: load,
  };
}

export function reportError(error) {
  toast(error.problem?.code ? `${error.problem.code}: ${error.message}` : error.message, true);
}
