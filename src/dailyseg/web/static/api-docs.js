// The API reference: Swagger UI over this server's OpenAPI schema (a file, since the pages allow no inline script).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  SwaggerUIBundle({
    url: document.getElementById("api-reference").dataset.schema,
    dom_id: "#api-reference",
    deepLinking: false, // a deep link inside each operation's toggle button would nest one control in another
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
  });
});
