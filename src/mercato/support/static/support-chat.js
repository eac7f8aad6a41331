// Live chat on a support conversation: messages pushed over the store WebSocket (live.js
// re-dispatches each as a "mercato:live" event) are appended to the thread. The page works
// without this; a reload shows the same messages. No libraries, no build step.

const thread = document.querySelector("[data-chat-thread]");

function timeText(iso) {
  // In the store's time zone, like the server-rendered messages.
  try {
    const when = new Date(iso);
    const options = { timeZone: thread.dataset.tz || undefined };
    const lang = document.documentElement.lang || "vi";
    const time = when.toLocaleTimeString(lang, { ...options, hour: "2-digit", minute: "2-digit" });
    const day = when.toLocaleDateString(lang, { ...options, day: "2-digit", month: "2-digit", year: "2-digit" });
    return `${time} ${day}`;
  } catch {
    return "";
  }
}

function append(message) {
  if (thread.querySelector(`[data-message-id="${message.id}"]`)) return; // redelivery
  const item = document.createElement("li");
  item.className = message.from_staff ? "chat-message chat-staff" : "chat-message chat-customer";
  item.dataset.messageId = String(message.id);
  const meta = document.createElement("p");
  meta.className = "chat-meta";
  // The page's language gives the staff suffix (data-staff-label="{name} (staff)").
  const staffLabel = thread.dataset.staffLabel || "{name}";
  const who = message.from_staff ? staffLabel.replace("{name}", message.author) : message.author;
  meta.textContent = `${who} · ${timeText(message.created_at)}`;
  const body = document.createElement("p");
  body.className = "chat-body";
  body.textContent = message.body; // text, never HTML
  item.append(meta, body);
  thread.append(item);
  item.scrollIntoView({ block: "nearest" });
  const empty = document.querySelector("[data-chat-empty]");
  if (empty) empty.remove();
}

if (thread) {
  document.addEventListener("mercato:live", (event) => {
    const message = event.detail || {};
    if (message.type === "message:new" && message.ticket === thread.dataset.ticket) {
      append(message);
    }
  });
}
