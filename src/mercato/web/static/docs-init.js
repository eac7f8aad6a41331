// Starts Swagger UI on the store's API docs page. An external module because the
// Content-Security-Policy forbids inline scripts; the OpenAPI address comes from the page.
const root = document.getElementById("swagger-ui");

function start() {
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null, // never call the public validator: the CSP forbids it and it leaks the spec
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
}

// Module scripts run after deferred classic scripts, so the bundle is normally ready here.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
