// The API reference of this ledger, rendered by Swagger UI from its own /openapi.json. "Try it out" calls this same
// server, whatever address it is reached at: authorise with a role's key (Authorize, then the key alone: Swagger UI
// adds "Bearer ").
window.addEventListener("load", function () {
  fetch("/openapi.json")
    .then(function (response) { return response.json(); })
    .then(function (spec) {
      spec.servers = [{ url: window.location.origin, description: "this ledger" }];
      window.ui = SwaggerUIBundle({
        spec: spec,
        dom_id: "#swagger-ui",
        deepLinking: true,
        tryItOutEnabled: false,
        persistAuthorization: false,
        validatorUrl: null,
        presets: [SwaggerUIBundle.presets.apis],
        layout: "BaseLayout"
      });
    });
});
