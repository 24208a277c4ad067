// The API reference: Swagger UI over this server's OpenAPI schema (a file, since the pages allow no inline script).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  SwaggerUIBundle({
    url: document.getElementById("api-reference").dataset.schema,
    dom_id: "#api-reference",
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
  });
});
