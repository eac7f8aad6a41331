// Live conversation and inbox. live.js owns the store WebSocket and re-dispatches every push
// as a `mercato:live` event; this file sends messages with fetch, adds `message:new` pushes,
// marks what the reader sees as read (which sends the other side its read receipt) and shows
// `message:read` receipts. The pages work without it (forms post and redirect back).

const chat = document.querySelector("[data-conversation]");
const inbox = document.querySelector("[data-inbox-live]");

function csrfToken() {
  const input = document.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

function shortTime(iso) {
  // In the store's timezone, like the times the server rendered on the page.
  const timeZone = (chat && chat.dataset.timezone) || undefined;
  try {
    return new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short", timeZone });
  } catch {
    return iso;
  }
}

function messageElement(message, mySide) {
  const mine = message.sender_side === mySide;
  const item = document.createElement("li");
  item.className = mine ? "message is-mine" : "message";
  item.id = `message-${message.id}`;
  item.dataset.messageId = String(message.id);
  item.dataset.side = message.sender_side;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.body) {
    const body = document.createElement("p");
    body.className = "message-body";
    body.textContent = message.body;
    bubble.append(body);
  }
  if (message.attachment) {
    const link = document.createElement("a");
    link.href = message.attachment.url;
    const image = document.createElement("img");
    image.src = message.attachment.url;
    image.alt = mine ? "Image sent by you" : `Image sent by the ${message.sender_side}`;
    if (message.attachment.width) image.width = message.attachment.width;
    if (message.attachment.height) image.height = message.attachment.height;
    image.className = "message-image";
    link.append(image);
    bubble.append(link);
  }
  const meta = document.createElement("div");
  meta.className = "message-meta";
  const time = document.createElement("time");
  time.dateTime = message.created_at;
  time.textContent = shortTime(message.created_at);
  meta.append(time);
  if (mine) {
    const receipt = document.createElement("span");
    receipt.className = "receipt";
    receipt.dataset.receipt = "";
    receipt.textContent = "Sent";
    meta.append(" · ", receipt);
  }
  item.append(bubble, meta);
  return item;
}

function setupChat() {
  const list = chat.querySelector("[data-messages]");
  const form = chat.querySelector("[data-chat-form]");
  const error = chat.querySelector("[data-chat-error]");
  const mySide = chat.dataset.side;
  const conversationId = Number(chat.dataset.conversation);
  let readThrough = 0;

  function lastOtherId() {
    const others = list.querySelectorAll(`[data-message-id]:not([data-side="${mySide}"])`);
    return others.length ? Number(others[others.length - 1].dataset.messageId) : 0;
  }

  async function markRead() {
    const through = lastOtherId();
    if (!through || through <= readThrough || document.visibilityState !== "visible") return;
    readThrough = through;
    const body = new URLSearchParams({ through: String(through), csrf_token: csrfToken() });
    await fetch(chat.dataset.readUrl, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  }

  function add(message) {
    if (document.getElementById(`message-${message.id}`)) return false;
    const empty = chat.querySelector("[data-empty]");
    if (empty) empty.remove();
    list.append(messageElement(message, mySide));
    return true;
  }

  function showReceipts(through) {
    for (const item of list.querySelectorAll(`[data-side="${mySide}"]`)) {
      if (Number(item.dataset.messageId) <= through) {
        const receipt = item.querySelector("[data-receipt]");
        if (receipt) receipt.textContent = "Read";
      }
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    error.hidden = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        const first = (data.errors && data.errors[0] && data.errors[0].message) || data.detail;
        error.textContent = first || "The message could not be sent. Try again.";
        error.hidden = false;
        return;
      }
      add(data.message);
      form.reset();
      form.querySelector("textarea").focus();
    } catch {
      error.textContent = "The message could not be sent: check your connection.";
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  // Enter sends, Shift+Enter adds a line (as in every chat).
  form.querySelector("textarea").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  document.addEventListener("mercato:live", (event) => {
    const message = event.detail || {};
    if (Number(message.conversation_id) !== conversationId) return;
    if (message.type === "message:new" && message.message) {
      if (add(message.message)) markRead().catch(() => {});
    } else if (message.type === "message:read" && message.side !== mySide) {
      showReceipts(Number(message.through) || 0);
    }
  });
  document.addEventListener("visibilitychange", () => { markRead().catch(() => {}); });
  showReceipts(Number(chat.dataset.otherRead) || 0);
  markRead().catch(() => {});
  const last = list.lastElementChild;
  if (last && !location.hash) last.scrollIntoView({ block: "end" });
}

async function refreshInbox() {
  const response = await fetch(location.href, {
    headers: { Accept: "text/html" },
    credentials: "same-origin",
  });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.querySelector("[data-inbox-live]");
  const current = document.querySelector("[data-inbox-live]");
  if (fresh && current) current.replaceWith(fresh);
}

if (chat) setupChat();
if (inbox) {
  let pending = null;
  document.addEventListener("mercato:live", (event) => {
    const type = (event.detail || {}).type;
    if (type !== "message:new" && type !== "message:read") return;
    window.clearTimeout(pending);
    pending = window.setTimeout(() => { refreshInbox().catch(() => {}); }, 150);
  });
}
