// Starts Swagger UI on /docs (web/docs.py): from this file rather than a script in the page,
// which the Content-Security-Policy would refuse. Requests made with "Try it out" carry the
// change token, as the pages' own requests do (web/guard.py).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var meta = document.querySelector('meta[name="rubdown-csrf"]');
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    // The default validator is a badge fetched from a server elsewhere; nothing leaves here.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: function (request) {
      if (meta && request.method && request.method.toUpperCase() !== "GET") {
        request.headers[meta.dataset.header] = meta.content;
      }
      return request;
    },
  });
})();
