// The API reference of this ledger, rendered by Swagger UI from its own /openapi.json. "Try it out" calls this same
// server: authorise with a role's key (Authorize, then the key alone: Swagger UI adds "Bearer ").
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
