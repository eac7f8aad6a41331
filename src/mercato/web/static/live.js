// Live updates for signed-in pages: one WebSocket per tab to <store>/ws.
// Pages work without it; this only refreshes the unread badge and announces new
// notifications to screen readers. No libraries, no build step.

const CLOSE_SIGNED_OUT = 4401; // the server's "sign in again": do not retry
const CLOSE_POLICY = 1008; // refused (foreign origin): retrying cannot help
const MAX_DELAY_MS = 60_000;

function storePath() {
  const meta = document.querySelector('meta[name="mercato-store-path"]');
  if (meta) return meta.content.replace(/\/$/, "");
  const badge = document.querySelector("a[data-live-badge]");
  if (badge) return new URL(badge.href).pathname.replace(/\/notifications\/?$/, "");
  return "";
}

function liveRegion() {
  let region = document.getElementById("live-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "live-announcer";
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  return region;
}

// The badge link may carry the sentences in the page's language (data-text-unread,
// data-text-new with {count} / {title}); English otherwise.
function say(name, fallback, values) {
  const badge = document.querySelector("a[data-live-badge]");
  const template = (badge && badge.dataset[name]) || fallback;
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

function showUnread(count) {
  for (const el of document.querySelectorAll("[data-unread-count]")) {
    el.textContent = String(count);
    el.hidden = count < 1;
  }
  for (const link of document.querySelectorAll("a[data-live-badge]")) {
    const label = count > 0
      ? say("textUnread", "Notifications, {count} unread", { count })
      : say("textNotifications", "Notifications", {});
    link.setAttribute("aria-label", label);
  }
}

function announce(text) {
  const region = liveRegion();
  // Clearing first makes screen readers repeat an identical message.
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}

function handle(message) {
  if (message.type === "connection:ready") {
    // Subscribed: from now on nothing is missed (browser tests wait for this mark).
    document.documentElement.dataset.liveState = "ready";
  } else if (message.type === "notification:new") {
    showUnread(Number(message.unread) || 0);
    if (message.title) announce(say("textNew", "New notification: {title}", { title: message.title }));
  }
  document.dispatchEvent(new CustomEvent("mercato:live", { detail: message }));
}

function connect(attempt = 0) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${storePath()}/ws`);
  let opened = false;
  socket.addEventListener("open", () => { opened = true; });
  socket.addEventListener("message", (event) => {
    try {
      handle(JSON.parse(event.data));
    } catch {
      // Not JSON: ignore rather than break the page.
    }
  });
  socket.addEventListener("close", (event) => {
    if (event.code === CLOSE_SIGNED_OUT || event.code === CLOSE_POLICY) return;
    const next = opened ? 0 : attempt + 1;
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
    const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** next) * (0.5 + Math.random() / 2);
    window.setTimeout(() => connect(next), delay);
  });
}

if ("WebSocket" in window && document.querySelector("[data-live-badge], [data-live]")) {
  liveRegion(); // present before the first message, so screen readers watch it
  connect();
}
