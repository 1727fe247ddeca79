// The dashboard's frame: sign-in with a bearer token, navigation by URL fragment, and live
// updates (the server's change stream refreshes the page on screen, at most every 700 ms).

import { ApiError, follow, get, setToken, token } from "./api.js";
import { orderPage } from "./order.js";
import { falloutsPage, flowPage, ordersPage, reportError, stuckPage } from "./pages.js";
import { h, replace } from "./ui.js";

const main = document.getElementById("main");
const REFRESH_EVERY = 700;

let session = null;
let page = null;
let stopStream = null;
let pending = null;
let refreshing = false;

function counts(values) {
  for (const [name, n] of Object.entries(values || {})) {
    const el = document.getElementById(`count-${name}`);
    if (!el) continue;
    el.textContent = n ? String(n) : "";
    el.classList.toggle("alert", n > 0 && name === "fallouts");
  }
}

function fail(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut("Your token was not accepted.");
    return;
  }
  reportError(error);
}

function live(state) {
  const el = document.getElementById("live");
  el.dataset.state = state;
  el.querySelector(".live-text").textContent = { on: "Live", retry: "Reconnecting…", off: "Offline" }[state];
}

function parseHash() {
  const [path, query = ""] = (location.hash.slice(1) || "/orders").split("?");
  return { parts: path.split("/").filter(Boolean), params: new URLSearchParams(query) };
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  if (!session) return;
  const { parts, params } = parseHash();
  const ctx = { session, params, navigate, fail, counts };
  const name = parts[0] || "orders";
  if (name === "orders" && parts[1]) page = orderPage(ctx, parts[1]);
  else if (name === "fallouts") page = falloutsPage(ctx);
  else if (name === "stuck") page = stuckPage(ctx);
  else if (name === "flow") page = flowPage(ctx);
  else page = ordersPage(ctx);
  for (const link of document.querySelectorAll(".nav a")) {
    link.classList.toggle("active", link.dataset.page === (name === "orders" ? "orders" : name));
  }
  document.title = `${page.title} · OMS Operations`;
  const current = page;
  try {
    await current.render(main);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      replace(main, h("div", { class: "panel" }, h("h1", {}, "Not found"), h("p", {}, "No such order for your tenant. "), h("a", { href: "#/orders" }, "Back to orders")));
    } else fail(error);
  }
}

/** A change burst from the stream: refresh the page on screen if it shows what changed. */
function onChanges(changes) {
  if (!page?.refresh) return;
  if (page.wants && !page.wants(changes)) return;
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    if (refreshing) return onChanges(changes);
    refreshing = true;
    try {
      await page.refresh();
    } catch (error) {
      fail(error);
    } finally {
      refreshing = false;
    }
  }, REFRESH_EVERY);
}

function signOut(message) {
  setToken(null);
  session = null;
  stopStream?.();
  stopStream = null;
  document.getElementById("logout").hidden = true;
  document.getElementById("who").textContent = "";
  showLogin(message);
}

function showLogin(message) {
  const input = h("input", { type: "password", name: "token", placeholder: "Bearer token", autocomplete: "off", required: true, "data-testid": "token-input" });
  const form = h(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        setToken(input.value.trim());
        await start();
      },
    },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "Paste a bearer token of your tenant. Reads need orders:read; repairs need operator. The token stays in this tab only."),
    message ? h("div", { class: "small", style: "color:var(--red)" }, message) : null,
    input,
    h("button", { class: "btn primary", type: "submit", "data-testid": "sign-in" }, "Sign in"),
    h("p", { class: "small muted" }, "Local stack: the dev tokens are in deploy/local/projections.toml."),
  );
  replace(main, h("div", { class: "panel login" }, form));
  input.focus();
}

async function start() {
  if (!token()) {
    showLogin();
    return;
  }
  try {
    session = await get("/api/v1/session");
  } catch (error) {
    signOut(error instanceof ApiError && error.status === 401 ? "That token was not accepted." : error.message);
    return;
  }
  document.getElementById("who").textContent = `${session.subject} · ${session.tenantId}`;
  const logout = document.getElementById("logout");
  logout.hidden = false;
  logout.onclick = () => signOut();
  stopStream?.();
  stopStream = follow(onChanges, live);
  await route();
}

window.addEventListener("hashchange", route);
start();
