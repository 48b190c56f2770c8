/* The interactive API documentation (/api/v1/docs): Swagger UI from static/vendor/swagger-ui, set up
   from the JSON settings in the page (no inline script, so the Content-Security-Policy holds). */
(function () {
  "use strict";
  var body = document.body.dataset;
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  config.layout = "BaseLayout";
  if (body.apiCsrf && body.csrfToken) {
    config.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = body.csrfToken;
      return request;
    };
  }
  window.SwaggerUIBundle(config);
})();
