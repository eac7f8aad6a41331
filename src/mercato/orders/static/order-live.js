// A customer's order page: when the store pushes "order:updated" for this order over the
// WebSocket (live.js re-dispatches each message as "mercato:live"), reload to show it.
const status = document.querySelector("[data-live-order]");
document.addEventListener("mercato:live", (event) => {
  const message = event.detail || {};
  if (status && message.type === "order:updated" && message.number === status.dataset.liveOrder) {
    window.location.reload();
  }
});
