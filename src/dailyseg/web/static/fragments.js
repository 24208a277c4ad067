// Replace a placeholder (which links to a full page) with the page's fragment, fetched from this server.
"use strict";
document.querySelectorAll("[data-fragment]").forEach((holder) => {
  fetch(holder.dataset.fragment, { headers: { Accept: "text/html" } })
    .then((response) => (response.ok ? response.text() : Promise.reject(new Error("HTTP " + response.status))))
    .then((html) => {
      holder.innerHTML = html;
    })
    .catch(() => {
      /* the placeholder's link still leads to the findings */
    });
});
