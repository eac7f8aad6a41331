// Live chat on a support conversation: messages pushed over the store WebSocket (live.js
// re-dispatches each as a "mercato:live" event) are appended to the thread. The page works
// without this; a reload shows the same messages. No libraries, no build step.

const thread = document.querySelector("[data-chat-thread]");

function timeText(iso) {
  try {
    return new Date(iso).toLocaleString(document.documentElement.lang || "vi", {
      dateStyle: "short",
      timeStyle: "short",
    });
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
  meta.textContent = `${message.author} · ${timeText(message.created_at)}`;
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
