// Sortable and filterable tables. Without JavaScript the server-side search still works.
"use strict";
function cellValue(row, index) {
  const cell = row.children[index];
  return cell ? (cell.dataset.value ?? cell.textContent.trim()) : "";
}

// The body column a header cell stands over: the header rows laid out with their row and column spans.
function columnIndex(table, header) {
  const taken = [];
  for (const [r, row] of Array.from(table.tHead.rows).entries()) {
    let column = 0;
    for (const cell of Array.from(row.cells)) {
      while (taken[r] && taken[r][column]) column += 1;
      if (cell === header) return column;
      for (let dr = 0; dr < cell.rowSpan; dr += 1) {
        for (let dc = 0; dc < cell.colSpan; dc += 1) {
          (taken[r + dr] ??= [])[column + dc] = true;
        }
      }
      column += cell.colSpan;
    }
  }
  return -1;
}

// A column's name in the URL (?sort=segregation.excess_percent&dir=desc), so that a sorted list can be linked.
function headerKey(header) {
  return header.dataset.statement ? header.dataset.statement + "." + header.dataset.part : header.classList[0];
}

function sortTable(table, header, ascending) {
  const bodies = table.tBodies[0];
  const index = columnIndex(table, header);
  table.querySelectorAll("th[aria-sort]").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const numeric = header.dataset.sort === "number";
  const rows = Array.from(bodies.rows);
  // Ties keep the server's order (rows carry data-order, their place in it), whichever way a column sorts.
  const place = (row) => Number(row.dataset.order ?? 0);
  rows.sort((a, b) => {
    const x = cellValue(a, index), y = cellValue(b, index);
    let order;
    if (numeric) {
      // Empty cells sort last either way; amounts are compared as numbers only to order rows, never shown.
      if (x === "" || y === "") return (x === "") - (y === "") || place(a) - place(b);
      order = Number(x) - Number(y);
    } else {
      order = x.localeCompare(y);
    }
    return (ascending ? order : -order) || place(a) - place(b);
  });
  rows.forEach((row) => bodies.appendChild(row));
}

document.querySelectorAll("table.sortable").forEach((table) => {
  const headers = Array.from(table.querySelectorAll("th[data-sort]"));
  headers.forEach((header) => {
    header.querySelector("button").addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      sortTable(table, header, ascending);
      const url = new URL(window.location.href);
      url.searchParams.set("sort", headerKey(header));
      url.searchParams.set("dir", ascending ? "asc" : "desc");
      window.history.replaceState(null, "", url);
    });
  });
  const asked = new URLSearchParams(window.location.search);
  const chosen = headers.find((header) => headerKey(header) === asked.get("sort"));
  if (chosen) sortTable(table, chosen, asked.get("dir") !== "desc");
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
