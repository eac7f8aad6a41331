// Live inquiry lists and details: on an `inquiry:updated` push (dispatched by live.js as
// a `mercato:live` event), fetch this page again and swap the live region, so a brand's open
// dashboard shows a new inquiry and a buyer's open inquiry shows the quote without reload.
// The pages work without this file.

const region = document.querySelector("[data-inquiry-live]");

async function refresh() {
  const response = await fetch(location.href, {
    headers: { Accept: "text/html" },
    credentials: "same-origin",
  });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.querySelector("[data-inquiry-live]");
  const current = document.querySelector("[data-inquiry-live]");
  if (!fresh || !current) return;
  // A brand user half-way through a quote form keeps what they typed: only the status
  // and timeline would change under them, so they are told instead.
  const form = current.querySelector("form[action$='/quote']");
  if (form && form.contains(document.activeElement)) {
    const status = current.querySelector("[data-inquiry-status]");
    if (status) status.textContent += " (updated: reload to see)";
    return;
  }
  current.replaceWith(fresh);
}

let pending = null;
if (region) {
  document.addEventListener("mercato:live", (event) => {
    const message = event.detail || {};
    if (message.type !== "inquiry:updated") return;
    const number = region.dataset.inquiryNumber;
    if (number && message.number !== number) return;
    // Several pushes in a burst (one per line answered) refresh once.
    window.clearTimeout(pending);
    pending = window.setTimeout(() => { refresh().catch(() => {}); }, 150);
  });
}
