// Talking to the projections API (same origin) and, for operator actions, to the owning
// services (order-capture, fulfillment) with the operator's own token. The token lives in
// sessionStorage: it is gone when the tab closes.

const TOKEN_KEY = "oms.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An API error with the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function request(url, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const response = await fetch(url, { ...options, headers });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { detail: text };
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** GET on the projections API. */
export function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") query.set(k, v);
  }
  const qs = query.toString();
  return request(qs ? `${path}?${qs}` : path);
}

function setPath(body, dotted, value) {
  const parts = dotted.split(".");
  let target = body;
  for (const part of parts.slice(0, -1)) target = target[part] ??= {};
  target[parts[parts.length - 1]] = value;
}

/**
 * Runs an operator action (as the projections API describes it) against its owning service:
 * `services` maps service names to base URLs (from the session).
 */
export function runAction(action, values, services) {
  const base = { "order-capture": services.orderCapture, fulfillment: services.fulfillment }[action.service];
  if (!base) return Promise.reject(new Error(`no address for ${action.service}`));
  const body = structuredClone(action.body || {});
  for (const field of action.fields) setPath(body, field.name, values[field.name]);
  return request(`${base}${action.path}`, {
    method: action.method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/**
 * Follows `/api/v1/stream` (server-sent events, read with fetch so the bearer token can be
 * sent). Calls `onChanges({orders, reload})` per burst and `onState("on"|"retry"|"off")`.
 * Reconnects with backoff. Returns a function that stops it.
 */
export function follow(onChanges, onState) {
  let stopped = false;
  let controller = null;
  let delay = 1000;
  async function run() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch("/api/v1/stream", {
          headers: { Authorization: `Bearer ${token()}`, Accept: "text/event-stream" },
          signal: controller.signal,
        });
        if (response.status === 401) {
          onState("off");
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream: HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = "message";
            let data = "";
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) event = line.slice(6).trim();
              else if (line.startsWith("data:")) data += line.slice(5).trim();
            }
            if (event === "ready") {
              delay = 1000;
              onState("on");
            } else if (event === "changes" && data) {
              onChanges(JSON.parse(data));
            }
          }
        }
      } catch (error) {
        if (stopped) return;
      }
      if (stopped) return;
      onState("retry");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
      // After a gap, whatever was missed is reloaded.
      onChanges({ orders: [], reload: true });
    }
  }
  run();
  return () => {
    stopped = true;
    controller?.abort();
    onState("off");
  };
}
