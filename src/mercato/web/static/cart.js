// Cart drawer (cart module). Every cart form works without this script; with it, the
// add-to-cart form and the drawer's forms are posted with fetch (Accept: application/json)
// and the server answers with the new count, a message and the drawer's HTML.
const drawer = document.querySelector("[data-cart-drawer]");
const drawerBody = document.querySelector("[data-cart-drawer-body]");
const backdrop = document.querySelector(".cart-drawer-backdrop");
const statusBox = document.querySelector("[data-cart-status]");
const meta = document.querySelector('meta[name="mercato-store-path"]');
const storePath = meta ? meta.content : "/";
let returnFocus = null;

function setCount(count) {
  for (const badge of document.querySelectorAll("[data-cart-count]")) {
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }
}

function announce(message) {
  if (!statusBox || !message) return;
  statusBox.textContent = "";
  // A fresh text node after a tick makes screen readers announce repeats too.
  window.setTimeout(() => { statusBox.textContent = message; }, 50);
}

function openDrawer() {
  if (!drawer) return;
  returnFocus = document.activeElement;
  drawer.hidden = false;
  backdrop.hidden = false;
  document.body.classList.add("cart-drawer-open");
  drawer.focus();
}

function closeDrawer() {
  if (!drawer || drawer.hidden) return;
  drawer.hidden = true;
  backdrop.hidden = true;
  document.body.classList.remove("cart-drawer-open");
  if (returnFocus && returnFocus.focus) returnFocus.focus();
}

async function refreshDrawer() {
  const response = await fetch(storePath + "cart/drawer", {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (response.ok) drawerBody.innerHTML = await response.text();
}

function showFormError(form, message) {
  let box = form.querySelector("[data-cart-error]");
  if (!box) {
    box = document.createElement("p");
    box.className = "field-error";
    box.setAttribute("data-cart-error", "");
    box.setAttribute("role", "alert");
    form.append(box);
  }
  box.textContent = message;
}

function intercepted(form) {
  // The cart page's own forms post normally: the page shows the result after a redirect.
  return form.matches("form[data-cart-form]") &&
    (form.hasAttribute("data-cart-add") || form.closest("[data-cart-drawer]"));
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !intercepted(form)) return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  const old = form.querySelector("[data-cart-error]");
  if (old) old.remove();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const data = await response.json();
    if (typeof data.drawer === "string") drawerBody.innerHTML = data.drawer;
    if (typeof data.count === "number") setCount(data.count);
    const message = data.message || data.detail || "";
    announce(message);
    if (!response.ok) {
      showFormError(form, message);
    } else if (form.hasAttribute("data-cart-add")) {
      openDrawer();
    }
  } catch (error) {
    form.submit(); // no JSON back: let the server answer the plain form
  } finally {
    if (button) button.disabled = false;
  }
});

document.addEventListener("click", async (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  const opener = target.closest("[data-cart-open]");
  if (opener && drawer) {
    event.preventDefault();
    openDrawer();
    await refreshDrawer();
    return;
  }
  if (target.closest("[data-cart-close]")) closeDrawer();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeDrawer();
});
