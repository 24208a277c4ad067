// The upload page: a dropped file goes into the form's file input (which still works alone, by keyboard).
"use strict";
document.querySelectorAll("[data-drop]").forEach((zone) => {
  const input = zone.querySelector("input[type=file]");
  const text = zone.querySelector(".drop-text");
  const show = () => { if (input.files.length) text.textContent = "Chosen: " + input.files[0].name; };
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files.length) { input.files = event.dataTransfer.files; show(); }
  });
  input.addEventListener("change", show);
});
