// Small DOM and formatting helpers. Everything is built with createElement and textContent:
// no HTML strings, so no data from the API can become markup.

import { runAction } from "./api.js";

/** h("td", {class: "num", onclick}, child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    // CSSOM, not the style attribute: the page's CSP allows no inline style attributes.
    else if (key === "style") el.style.cssText = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

const STATE_COLOR = {
  COMPLETED: "green",
  IN_PROGRESS: "blue",
  PARTIALLY_COMPLETED: "blue",
  DECOMPOSED: "indigo",
  VALIDATED: "indigo",
  SUBMITTED: "gray",
  DRAFT: "gray",
  FALLOUT: "red",
  REJECTED: "red",
  FAILED_CLOSED: "red",
  CANCELLATION_REQUESTED: "amber",
  CANCELLING: "amber",
  CANCELLED: "gray",
  // customer statuses
  RECEIVED: "gray",
  PROCESSING: "blue",
  ACTION_REQUIRED: "amber",
  // task statuses
  SUCCEEDED: "green",
  RUNNING: "blue",
  PLANNED: "gray",
  RETRY_SCHEDULED: "amber",
  FAILED: "red",
  RESOLVED: "indigo",
  // item states
  PENDING: "gray",
  WAIVED: "gray",
  OPEN: "red",
  CLOSED: "green",
};

export function words(symbol) {
  if (!symbol) return "";
  const text = symbol.replaceAll("_", " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function pill(symbol, label = words(symbol), extra = "") {
  return h("span", { class: `pill ${STATE_COLOR[symbol] || ""} ${extra}`, "data-value": symbol }, label);
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : "";
}

export function money(amount, currency) {
  if (amount === null || amount === undefined) return "—";
  const value = Number(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const parts = (big, bigUnit, small, smallUnit) => (small ? `${big}${bigUnit} ${small}${smallUnit}` : `${big}${bigUnit}`);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return parts(m, "m", s % 60, "s");
  if (m < 60) return `${m}m`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return parts(hours, "h", m % 60, "m");
  return parts(Math.floor(hours / 24), "d", hours % 24, "h");
}

export function ago(iso) {
  if (!iso) return "—";
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  return seconds < 5 ? "just now" : `${duration(seconds)} ago`;
}

export function time(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

export function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

export function toast(message, bad = false) {
  const el = h("div", { class: `toast${bad ? " bad" : ""}`, role: "status" }, message);
  document.getElementById("toasts").append(el);
  setTimeout(() => el.remove(), bad ? 8000 : 4000);
}

export function empty(text) {
  return h("div", { class: "empty" }, text);
}

/**
 * Asks for the action's fields (reason, ...) in a dialog, then calls the owning service.
 * Resolves true when the call succeeded.
 */
export function confirmAction(action, subject, session) {
  const dialog = document.getElementById("dialog");
  return new Promise((resolve) => {
    const error = h("div", { class: "error", role: "alert" });
    const inputs = action.fields.map((field) =>
      h("input", { type: "text", name: field.name, required: true, autocomplete: "off" }),
    );
    const submit = h("button", { class: "btn primary", type: "submit", "data-testid": "action-submit" }, action.label);
    const cancel = h("button", { class: "btn", type: "button", onclick: () => dialog.close("cancel") }, "Cancel");
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", {}, `${action.label}: ${subject}`),
      action.hint ? h("div", { class: "hint" }, action.hint) : null,
      action.fields.map((field, i) => h("label", {}, field.label, inputs[i])),
      h("div", { class: "call" }, `${action.method} ${action.service} ${action.path}`),
      error,
      h("div", { class: "buttons" }, cancel, submit),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(inputs.map((input) => [input.name, input.value.trim()]));
      if (Object.values(values).some((v) => !v)) {
        error.textContent = "Every field is required.";
        return;
      }
      submit.disabled = true;
      error.textContent = "";
      try {
        await runAction(action, values, session.services);
        dialog.close("done");
        toast(`${action.label}: accepted by ${action.service}`);
        resolve(true);
      } catch (e) {
        submit.disabled = false;
        const code = e.problem?.code ? `${e.problem.code}: ` : "";
        error.textContent = `${code}${e.message}`;
      }
    });
    dialog.onclose = () => {
      if (dialog.returnValue !== "done") resolve(false);
    };
    replace(dialog, form);
    dialog.returnValue = "";
    dialog.showModal();
    inputs[0]?.focus();
  });
}

/** Buttons for `actions` (primary first); disabled for readers without the scope. */
export function actionButtons(actions, subject, session, after) {
  return h(
    "div",
    { class: "actions" },
    actions.map((action) =>
      h(
        "button",
        {
          class: `btn small${action.primary ? " primary" : ""}`,
          type: "button",
          "data-action": action.id,
          disabled: !session.scopes.includes(action.scope),
          title: session.scopes.includes(action.scope) ? action.hint || "" : `Needs the ${action.scope} scope`,
          onclick: async (event) => {
            event.stopPropagation();
            if (await confirmAction(action, subject, session)) after?.();
          },
        },
        action.label,
      ),
    ),
  );
}
