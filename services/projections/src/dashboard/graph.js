// The plan's tasks as a dependency graph: a layered left-to-right layout (a task's column is
// the length of the longest dependency chain before it), drawn as SVG.

const SVG = "http://www.w3.org/2000/svg";
const W = 192;
const H = 48;
const GAP_X = 34;
const GAP_Y = 14;

const COLORS = {
  SUCCEEDED: ["#e7f6ec", "#22c55e", "#14532d"],
  RUNNING: ["#e6eefc", "#3b82f6", "#1e3a8a"],
  RETRY_SCHEDULED: ["#fdf3e1", "#f59e0b", "#78350f"],
  FAILED: ["#fdecec", "#ef4444", "#7f1d1d"],
  FALLOUT: ["#fdecec", "#dc2626", "#7f1d1d"],
  RESOLVED: ["#ecebfd", "#6366f1", "#312e81"],
  PLANNED: ["#f8fafc", "#cbd5e1", "#334155"],
};

const SHORT = {
  SUCCEEDED: "done",
  RUNNING: "running",
  RETRY_SCHEDULED: "retry",
  FAILED: "failed",
  FALLOUT: "fallout",
  RESOLVED: "requeued",
  PLANNED: "planned",
};

export const LEGEND = [
  ["PLANNED", "Planned"],
  ["RUNNING", "Running"],
  ["RETRY_SCHEDULED", "Retry scheduled"],
  ["SUCCEEDED", "Succeeded"],
  ["FALLOUT", "Fallout"],
  ["RESOLVED", "Resolved, queued again"],
];

function el(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fit(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Column of every task: 0 for roots, else 1 + the deepest dependency. */
export function layers(tasks) {
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const memo = new Map();
  const visiting = new Set();
  const depth = (id) => {
    if (memo.has(id)) return memo.get(id);
    if (visiting.has(id)) return 0; // a cycle would be a broken plan; draw it flat
    visiting.add(id);
    const deps = (byId.get(id)?.dependsOn || []).filter((d) => byId.has(d));
    const d = deps.length ? 1 + Math.max(...deps.map(depth)) : 0;
    visiting.delete(id);
    memo.set(id, d);
    return d;
  };
  return new Map(tasks.map((t) => [t.taskId, depth(t.taskId)]));
}

/** An <svg> of `tasks`; `onSelect(task)` on click. */
export function planGraph(tasks, onSelect) {
  const column = layers(tasks);
  const columns = [];
  for (const task of [...tasks].sort((a, b) => (a.taskType || "").localeCompare(b.taskType || ""))) {
    const c = column.get(task.taskId);
    (columns[c] ||= []).push(task);
  }
  const rows = Math.max(1, ...columns.map((c) => (c ? c.length : 0)));
  const width = columns.length * (W + GAP_X) - GAP_X + 8;
  const height = rows * (H + GAP_Y) - GAP_Y + 8;
  const svg = el("svg", {
    class: "graph",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": "Plan tasks and their dependencies",
    "data-testid": "plan-graph",
  });
  const where = new Map();
  columns.forEach((list, c) => {
    const offset = ((rows - list.length) * (H + GAP_Y)) / 2;
    list.forEach((task, r) => where.set(task.taskId, { x: 4 + c * (W + GAP_X), y: 4 + offset + r * (H + GAP_Y) }));
  });
  const edges = el("g", {});
  for (const task of tasks) {
    const to = where.get(task.taskId);
    for (const dep of task.dependsOn || []) {
      const from = where.get(dep);
      if (!from || !to) continue;
      const x1 = from.x + W;
      const y1 = from.y + H / 2;
      const x2 = to.x;
      const y2 = to.y + H / 2;
      const mid = (x1 + x2) / 2;
      edges.append(el("path", { class: "edge", d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}` }));
      edges.append(el("path", { d: `M${x2 - 7},${y2 - 4} L${x2},${y2} L${x2 - 7},${y2 + 4}`, fill: "#a9b4c4" }));
    }
  }
  svg.append(edges);
  for (const task of tasks) {
    const { x, y } = where.get(task.taskId);
    const [fill, stroke, ink] = COLORS[task.status] || COLORS.PLANNED;
    const g = el("g", {
      class: "node",
      transform: `translate(${x},${y})`,
      "data-task-id": task.taskId,
      "data-status": task.status,
    });
    g.append(el("title", {}, `${task.taskType || "task"} @ ${task.targetSystem || "?"}: ${task.status}`));
    g.append(el("rect", { width: W, height: H, fill, stroke }));
    g.append(el("rect", { width: 5, height: H, fill: stroke, rx: 2 }));
    g.append(el("text", { x: 14, y: 19, "font-size": 12, "font-weight": 600, fill: ink }, fit(task.taskType || "task", 24)));
    const attempt = task.attempt > 1 ? ` ×${task.attempt}` : "";
    const status = SHORT[task.status] || task.status.toLowerCase();
    g.append(
      el("text", { x: 14, y: 36, "font-size": 10, fill: "#64748b" }, fit(`${task.targetSystem || "?"} · ${status}${attempt}`, 31)),
    );
    g.addEventListener("click", () => onSelect?.(task));
    svg.append(g);
  }
  return svg;
}
