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

// `opener` gets the focus back on close: the add button is disabled while its form posts,
// which moves the focus to the page body, so the caller names it.
function openDrawer(opener) {
  if (!drawer) return;
  returnFocus = opener || document.activeElement;
  // Only this script opens the drawer, so it is a modal dialog only here (WCAG 2.4.3).
  drawer.setAttribute("role", "dialog");
  drawer.setAttribute("aria-modal", "true");
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
      if (button) button.disabled = false;
      openDrawer(button);
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
    openDrawer(opener);
    await refreshDrawer();
    return;
  }
  if (target.closest("[data-cart-close]")) closeDrawer();
});

const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
  "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

// Tab and Shift+Tab stay inside the open drawer, as in any modal dialog.
function keepFocusInside(event) {
  const items = [...drawer.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest("[hidden]"));
  if (items.length === 0) {
    event.preventDefault();
    drawer.focus();
    return;
  }
  const first = items[0];
  const last = items[items.length - 1];
  const active = document.activeElement;
  if (event.shiftKey && (active === first || active === drawer)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !drawer.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

document.addEventListener("keydown", (event) => {
  if (!drawer || drawer.hidden) return;
  if (event.key === "Escape") closeDrawer();
  else if (event.key === "Tab") keepFocusInside(event);
});
