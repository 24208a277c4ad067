// The firm page's charts: the key lines of each statement over time (uPlot). Which lines, and their labels,
// come from the API (the catalogue's key lines); amounts arrive as exact strings and become numbers only to be drawn.
// End Dates are calendar days: drawn at UTC midnight and read back in UTC (uPlot.tzDate), whatever the browser's
// time zone, with a day as the smallest tick. Excess and target have their own scale (right axis), the target a band.
// The monitor's findings are marked on their days; the range shown is kept in the address (?from=&to=).
"use strict";
(function () {
  const section = document.querySelector("[data-chart-url]");
  if (!section || typeof uPlot === "undefined") return;
  const holder = section.querySelector("[data-charts]");
  const form = section.querySelector("[data-range]");
  const fromInput = form.querySelector("#range-from");
  const toInput = form.querySelector("#range-to");
  const DAY = 86400;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // Tick steps in days, months (uPlot counts 30 days) and years (365 days): never less than a day.
  const INCRS = [1, 2, 3, 7, 14, 30, 60, 90, 180, 365, 730, 1825, 3650].map((days) => days * DAY);
  // Line styles differ by dash as well as colour, so the series read apart without colour.
  const STYLES = [
    { stroke: "#0b4f8a", dash: [] },
    { stroke: "#1d6b2a", dash: [8, 4] },
    { stroke: "#a05a00", dash: [2, 3] },
    { stroke: "#7a1f7a", dash: [12, 4, 2, 4] },
    { stroke: "#444444", dash: [1, 2] },
  ];
  const OWN_SCALE = { excess: true, target: true };
  const MARKS = { error: { shape: "■", colour: "#a00" }, warning: { shape: "▲", colour: "#8a5a00" }, notice: { shape: "●", colour: "#5a5a5a" } };
  const charts = [];
  let span = [null, null];
  let ready = false;

  const dayOf = (iso) => (/^\d{4}-\d{2}-\d{2}$/.test(iso || "") ? Date.parse(iso + "T00:00:00Z") / 1000 : NaN);
  const isoOf = (t) => new Date(t * 1000).toISOString().slice(0, 10);

  function dollars(value) {
    if (value === null || value === undefined) return "—";
    const text = "$" + Math.abs(value).toLocaleString("en-US", { maximumFractionDigits: 2 });
    return value < 0 ? "(" + text + ")" : text;
  }

  // Axis ticks in $ with K, M or B, with as many decimals as the step between ticks needs.
  function ticks(u, splits) {
    const top = Math.max.apply(null, splits.map(Math.abs));
    const [unit, suffix] = top >= 1e9 ? [1e9, "B"] : top >= 1e6 ? [1e6, "M"] : top >= 1e3 ? [1e3, "K"] : [1, ""];
    const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : unit;
    const digits = Math.min(3, Math.max(0, Math.ceil(-Math.log10(step / unit) - 1e-9)));
    return splits.map((v) => {
      const text = "$" + (Math.abs(v) / unit).toFixed(digits) + suffix;
      return v < 0 ? "(" + text + ")" : text;
    });
  }

  function dayTicks(u, splits, axis, space, incr) {
    return splits.map((t) => {
      const d = new Date(t * 1000);
      const month = MONTHS[d.getUTCMonth()];
      if (incr >= 365 * DAY) return String(d.getUTCFullYear());
      if (incr >= 30 * DAY) return month + " " + d.getUTCFullYear();
      return month + " " + d.getUTCDate();
    });
  }

  function width() {
    return Math.max(280, holder.clientWidth - 8);
  }

  // Zoom every chart to [min, max], kept within the history (a range outside it shows the whole history).
  function zoom(min, max) {
    min = Math.max(min, span[0]);
    max = Math.min(max, span[1]);
    if (!(min <= max)) [min, max] = span;
    if (min === max) [min, max] = [min - DAY, max + DAY];
    charts.forEach((chart) => chart.setScale("x", { min: min, max: max }));
  }

  // The range shown, as whole days, into the form and (once the page has drawn it) the address.
  function remember(u) {
    const from = isoOf(Math.ceil(u.scales.x.min / DAY - 1e-6) * DAY);
    const to = isoOf(Math.floor(u.scales.x.max / DAY + 1e-6) * DAY);
    fromInput.value = from;
    toInput.value = to;
    if (!ready) return;
    const url = new URL(window.location.href);
    url.searchParams.set("from", from);
    url.searchParams.set("to", to);
    window.history.replaceState(window.history.state, "", url);
  }

  // A dashed line and the severity's shape at the top of the plot, on each day with findings.
  function marker(events) {
    return (u) => {
      const ctx = u.ctx;
      const { top, height } = u.bbox;
      const px = uPlot.pxRatio;
      ctx.save();
      ctx.font = Math.round(12 * px) + "px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.lineWidth = px;
      ctx.setLineDash([3 * px, 3 * px]);
      events.forEach((event) => {
        if (event.t < u.scales.x.min || event.t > u.scales.x.max) return;
        const mark = MARKS[event.severity] || MARKS.notice;
        const x = Math.round(u.valToPos(event.t, "x", true));
        ctx.strokeStyle = mark.colour;
        ctx.fillStyle = mark.colour;
        ctx.beginPath();
        ctx.moveTo(x, top + 14 * px);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.fillText(mark.shape, x, top + px);
      });
      ctx.restore();
    };
  }

  function draw(data) {
    holder.textContent = "";
    const xs = data.dates.map(dayOf);
    span = [xs[0], xs[xs.length - 1]];
    Object.entries(data.statements).forEach(([id, statement]) => {
      const events = ((data.events || {})[id] || []).map((e) => Object.assign({ t: dayOf(e.date) }, e));
      const onDay = new Map(events.map((e) => [e.t, e]));
      const figure = document.createElement("figure");
      figure.className = "chart";
      figure.id = "chart-" + id;
      figure.dataset.events = String(events.length);
      const caption = document.createElement("figcaption");
      caption.textContent = statement.title;
      figure.appendChild(caption);
      holder.appendChild(figure);
      const parts = data.parts.filter((part) => part.id in statement.series);
      const columns = [xs].concat(parts.map((part) => statement.series[part.id].map((v) => (v === null ? null : Number(v)))));
      const endDate = (u, v) => {
        if (v == null) return "—";
        const event = onDay.get(v);
        const mark = event ? MARKS[event.severity] || MARKS.notice : null;
        return isoOf(v) + (event ? " " + mark.shape + " " + event.severity + ": " + event.rules.join(", ") : "");
      };
      const series = [{ label: "End Date", value: endDate }].concat(
        parts.map((part, i) => ({
          label: part.label + " [" + statement.codes[part.id] + "]",
          scale: OWN_SCALE[part.id] ? "excess" : "$",
          stroke: STYLES[i % STYLES.length].stroke,
          dash: STYLES[i % STYLES.length].dash,
          width: 1.5,
          spanGaps: false,
          value: (u, v) => dollars(v),
          // The target as a band: the zone under it, which the excess is to stay above.
          ...(part.id === "target" ? { fill: "rgba(160, 90, 0, 0.12)", fillTo: 0 } : {}),
        })),
      );
      const options = {
        width: width(),
        height: 260,
        series: series,
        tzDate: (t) => uPlot.tzDate(new Date(t * 1000), "UTC"),
        scales: { x: { time: true }, $: {}, excess: {} },
        axes: [
          { values: dayTicks, incrs: INCRS, space: 60 },
          { scale: "$", label: "Requirement, funds (US dollars)", values: ticks, size: 70 },
          { scale: "excess", side: 1, label: "Excess, target (US dollars)", values: ticks, size: 70, grid: { show: false } },
        ],
        cursor: { sync: { key: "firm" }, drag: { x: true, y: false } },
        hooks: {
          draw: [marker(events)],
          setScale: [
            (u, key) => {
              if (key !== "x") return;
              const { min, max } = u.scales.x;
              charts.forEach((other) => {
                if (other !== u && (other.scales.x.min !== min || other.scales.x.max !== max)) other.setScale("x", { min, max });
              });
              remember(u);
            },
          ],
        },
      };
      const chart = new uPlot(options, columns, figure);
      chart.root.setAttribute("role", "img");
      chart.root.setAttribute(
        "aria-label",
        statement.title + ": " + parts.map((part) => part.label.toLowerCase()).join(", ") + " over time; " + events.length + " days with findings marked",
      );
      figure.uplot = chart; // for the page's tests
      if (events.length) {
        const note = document.createElement("p");
        note.className = "chart-note";
        note.textContent =
          events.length + " day" + (events.length === 1 ? "" : "s") + " with findings marked (■ error, ▲ warning, ● notice); point at one for its rules.";
        figure.appendChild(note);
      }
      charts.push(chart);
    });
    if (!charts.length) {
      holder.textContent = "No figures to chart.";
      return;
    }
    // The range asked in the address, else the one the form was given; the whole history if neither.
    const asked = new URLSearchParams(window.location.search);
    const from = dayOf(asked.get("from") || fromInput.value);
    const to = dayOf(asked.get("to") || toInput.value);
    zoom(isNaN(from) ? span[0] : from, isNaN(to) ? span[1] : to);
    ready = true;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const from = dayOf(fromInput.value);
    const to = dayOf(toInput.value);
    zoom(isNaN(from) ? span[0] : from, isNaN(to) ? span[1] : to);
  });
  form.querySelectorAll("[data-span]").forEach((button) => {
    button.addEventListener("click", () => {
      const days = Number(button.dataset.span);
      zoom(days ? Math.max(span[0], span[1] - days * DAY) : span[0], span[1]);
    });
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.setSize({ width: width(), height: 260 })));

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
