// Sortable and filterable tables. Without JavaScript the server-side search still works.
"use strict";
function cellValue(row, index) {
  const cell = row.children[index];
  return cell ? (cell.dataset.value ?? cell.textContent.trim()) : "";
}

function sortTable(table, header) {
  const headRow = header.parentElement;
  const bodies = table.tBodies[0];
  // The column index counts leading row-spanning headers of the first row for the second header row.
  let index = Array.from(headRow.children).indexOf(header);
  if (headRow !== table.tHead.rows[0]) {
    index += Array.from(table.tHead.rows[0].children).filter((th) => th.rowSpan > 1).length;
  }
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("th[aria-sort]").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const numeric = header.dataset.sort === "number";
  const rows = Array.from(bodies.rows);
  rows.sort((a, b) => {
    const x = cellValue(a, index), y = cellValue(b, index);
    let order;
    if (numeric) {
      // Empty cells sort last; amounts are compared as numbers only to order rows, never shown.
      if (x === "" || y === "") order = (x === "") - (y === "");
      else order = Number(x) - Number(y);
    } else {
      order = x.localeCompare(y);
    }
    return ascending ? order : -order;
  });
  rows.forEach((row) => bodies.appendChild(row));
}

document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("th[data-sort] button").forEach((button) => {
    button.addEventListener("click", () => sortTable(table, button.parentElement));
  });
});

document.querySelectorAll("input[data-filter]").forEach((input) => {
  const table = document.querySelector(input.dataset.filter);
  const count = input.form ? input.form.querySelector("[data-count]") : null;
  if (!table) return;
  input.addEventListener("input", () => {
    const wanted = input.value.trim().toLowerCase();
    let shown = 0;
    Array.from(table.tBodies[0].rows).forEach((row) => {
      const match = row.cells[0].textContent.toLowerCase().includes(wanted);
      row.hidden = !match;
      if (match) shown += 1;
    });
    if (count) count.textContent = shown + (shown === 1 ? " firm" : " firms");
  });
});
