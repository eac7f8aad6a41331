// Toggles a product's wishlist button without reloading the page. The form works on its own;
// this only sends the same POST with the same CSRF token and asks for JSON back.
const forms = document.querySelectorAll("form[data-wishlist-toggle]");

for (const form of forms) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    const status = form.querySelector("[data-wishlist-status]");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        form.submit(); // let the server render the outcome (sign-in, error page)
        return;
      }
      const data = await response.json();
      button.setAttribute("aria-pressed", data.saved ? "true" : "false");
      // The labels come from the page, in the shopper's language.
      button.querySelector("[data-label]").textContent = data.saved
        ? form.dataset.labelSaved || "Saved in your wishlist"
        : form.dataset.labelSave || "Save to wishlist";
      button.querySelector(".wishlist-heart").textContent = data.saved ? "♥" : "♡";
      form.action = data.saved ? form.dataset.remove : form.dataset.add;
      status.textContent = data.message;
      const badge = document.querySelector("[data-wishlist-count]");
      if (badge) {
        badge.textContent = String(data.count);
        badge.hidden = data.count === 0;
      }
    } finally {
      button.disabled = false;
    }
  });
}
