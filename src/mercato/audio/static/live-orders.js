// The admin dashboard's live panel: order:created, order:updated and inventory:updated
// arrive over the store's WebSocket (live.js re-dispatches them as "mercato:live").
// The panel is server-rendered; this only prepends new rows. No libraries.

const panel = document.querySelector("[data-live-orders]");

// The words come from the server-rendered panel, in the page's language: "{number}" and
// friends are filled in here.
function say(name, values) {
  const template = (panel && panel.dataset[name]) || "";
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

function row(message) {
  const item = document.createElement("li");
  item.className = "live-order";
  item.dataset.number = message.number;
  const title = document.createElement("strong");
  title.textContent = message.number;
  const details = document.createElement("span");
  details.textContent = ` · ${message.customer_name || ""} · ${message.total_formatted || ""} · ${message.status}`;
  item.append(title, details);
  return item;
}

function handle(message) {
  if (!panel) return;
  const list = panel.querySelector("[data-live-list]");
  const status = panel.querySelector("[data-live-status]");
  if (message.type === "order:created") {
    list.prepend(row(message));
    status.textContent = say("textCreated", { number: message.number });
  } else if (message.type === "order:updated") {
    const existing = list.querySelector(`[data-number="${CSS.escape(message.number)}"]`);
    if (existing) existing.replaceWith(row(message));
    else list.prepend(row(message));
    status.textContent = say("textUpdated", { number: message.number, status: message.status });
  } else if (message.type === "inventory:updated") {
    status.textContent = say("textInventory", {
      product: message.sku || message.product_id,
      available: message.available,
    });
  }
  const empty = panel.querySelector("[data-live-empty]");
  if (empty && list.children.length) empty.hidden = true;
}

document.addEventListener("mercato:live", (event) => handle(event.detail));
