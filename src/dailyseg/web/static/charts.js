// The firm page's charts: the key lines of each statement over time (uPlot). Which lines, and their labels,
// come from the API (the catalogue's key lines); amounts arrive as exact strings and become numbers only to be drawn.
"use strict";
(function () {
  const section = document.querySelector("[data-chart-url]");
  if (!section || typeof uPlot === "undefined") return;
  const holder = section.querySelector("[data-charts]");
  const form = section.querySelector("[data-range]");
  // Line styles differ by dash as well as colour, so the series read apart without colour.
  const STYLES = [
    { stroke: "#0b4f8a", dash: [] },
    { stroke: "#1d6b2a", dash: [8, 4] },
    { stroke: "#a05a00", dash: [2, 3] },
    { stroke: "#7a1f7a", dash: [12, 4, 2, 4] },
    { stroke: "#444444", dash: [1, 2] },
  ];
  const charts = [];
  let span = [null, null];

  function money(value) {
    if (value === null || value === undefined) return "—";
    const abs = Math.abs(value);
    const text = abs >= 1e9 ? (abs / 1e9).toFixed(2) + "B" : abs >= 1e6 ? (abs / 1e6).toFixed(1) + "M" : abs.toLocaleString("en-US");
    return value < 0 ? "(" + text + ")" : text;
  }

  function width() {
    return Math.max(280, holder.clientWidth - 8);
  }

  function zoom(min, max) {
    charts.forEach((chart) => chart.setScale("x", { min: min, max: max }));
  }

  function draw(data) {
    holder.textContent = "";
    const xs = data.dates.map((d) => Date.parse(d + "T00:00:00Z") / 1000);
    span = [xs[0], xs[xs.length - 1]];
    Object.entries(data.statements).forEach(([id, statement]) => {
      const figure = document.createElement("figure");
      figure.className = "chart";
      figure.id = "chart-" + id;
      const caption = document.createElement("figcaption");
      caption.textContent = statement.title;
      figure.appendChild(caption);
      holder.appendChild(figure);
      const parts = data.parts.filter((part) => part.id in statement.series);
      const columns = [xs].concat(parts.map((part) => statement.series[part.id].map((v) => (v === null ? null : Number(v)))));
      const series = [{ label: "End Date", value: (u, v) => (v == null ? "—" : new Date(v * 1000).toISOString().slice(0, 10)) }].concat(
        parts.map((part, i) => ({
          label: part.label + " [" + statement.codes[part.id] + "]",
          stroke: STYLES[i % STYLES.length].stroke,
          dash: STYLES[i % STYLES.length].dash,
          width: 1.5,
          spanGaps: false,
          value: (u, v) => money(v),
        })),
      );
      const options = {
        width: width(),
        height: 240,
        series: series,
        scales: { x: { time: true } },
        axes: [{}, { values: (u, values) => values.map(money), size: 70 }],
        cursor: { sync: { key: "firm" }, drag: { x: true, y: false } },
        hooks: {
          setSelect: [],
          setScale: [
            (u, key) => {
              if (key !== "x") return;
              const { min, max } = u.scales.x;
              charts.forEach((other) => {
                if (other !== u && (other.scales.x.min !== min || other.scales.x.max !== max)) other.setScale("x", { min, max });
              });
            },
          ],
        },
      };
      const chart = new uPlot(options, columns, figure);
      chart.root.setAttribute("role", "img");
      chart.root.setAttribute("aria-label", statement.title + ": " + parts.map((part) => part.label.toLowerCase()).join(", ") + " over time");
      charts.push(chart);
    });
    if (!charts.length) holder.textContent = "No figures to chart.";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const from = form.querySelector("#range-from").value;
    const to = form.querySelector("#range-to").value;
    zoom(from ? Date.parse(from + "T00:00:00Z") / 1000 : span[0], to ? Date.parse(to + "T00:00:00Z") / 1000 : span[1]);
  });
  form.querySelectorAll("[data-span]").forEach((button) => {
    button.addEventListener("click", () => {
      const days = Number(button.dataset.span);
      zoom(days ? Math.max(span[0], span[1] - days * 86400) : span[0], span[1]);
    });
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.setSize({ width: width(), height: 240 })));

  fetch(section.dataset.chartUrl, { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error("chart data: HTTP " + response.status);
      return response.json();
    })
    .then(draw)
    .catch((error) => {
      holder.textContent = "The charts could not be loaded: " + error.message;
    });
})();
