// The payment return page: poll the order's status until the provider's confirmation
// has arrived, then reload so the page shows the confirmed order. Without JavaScript a
// <noscript> meta refresh does the same.
const box = document.querySelector("[data-order-status-url]");

if (box) {
  const url = box.dataset.orderStatusUrl;
  const page = box.dataset.orderPageUrl;
  let tries = 0;
  const poll = async () => {
    tries += 1;
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (res.ok) {
        const state = await res.json();
        if (state.status !== "pending" || state.payment_status === "failed") {
          window.location.replace(page);
          return;
        }
      }
    } catch {
      // offline for a moment: try again on the next tick
    }
    if (tries < 60) window.setTimeout(poll, tries < 10 ? 2000 : 5000);
  };
  window.setTimeout(poll, 1500);
}
