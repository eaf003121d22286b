/* Session vitals chart: fetch the JSON named by data-src and draw it with Plotly.
 * Loaded as a file (no inline script: the CSP forbids it). The vital-signs table on the
 * same page lists every reading, so the chart is a visual aid, not the only copy. */
(function () {
  "use strict";
  var el = document.getElementById("vitals-chart");
  if (!el || !window.Plotly) { return; }
  // A phone gets no line labels on the plot; its legend lists the lines instead and needs room.
  var narrow = el.clientWidth < 600;
  el.style.height = narrow ? "620px" : "360px";
  var colours = { systolic: "#1a4480", diastolic: "#00bde3", heart_rate: "#d83933" };
  var dashes = ["dot", "dash", "longdash", "dashdot"];

  function line(y, label, series, i) {
    return {
      type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y,
      yaxis: series === "heart_rate" ? "y2" : "y",
      line: { color: colours[series], width: 1, dash: dashes[i % dashes.length] }
    };
  }

  function draw(data) {
    var s = data.series;
    var traces = [
      { x: s.time, y: s.systolic, name: "Systolic (mmHg)", mode: "lines+markers", line: { color: colours.systolic } },
      { x: s.time, y: s.diastolic, name: "Diastolic (mmHg)", mode: "lines+markers", line: { color: colours.diastolic } },
      { x: s.time, y: s.heart_rate, name: "Heart rate (/min)", mode: "lines+markers", yaxis: "y2", line: { color: colours.heart_rate } }
    ];
    var shapes = [];
    var labels = {};  // one label per line height: thresholds at the same value share it
    var annotations = [];
    data.thresholds.forEach(function (t, i) {
      var yref = t.series === "heart_rate" ? "y2" : "y";
      var shape = line(t.value, t.label, t.series, i);
      shape.yref = yref;
      shapes.push(shape);
      if (narrow) {
        shape.showlegend = true;
        shape.name = t.label + " " + t.value;
        return;
      }
      var key = yref + ":" + t.value;
      if (labels[key]) { labels[key].names.push(t.label); return; }
      // Heart-rate lines are labelled at the left, blood-pressure lines at the right, so that
      // lines of the two axes at the same height do not print over each other.
      var left = yref === "y2";
      labels[key] = { names: [t.label], value: t.value, annotation: { xref: "paper", x: left ? 0 : 1,
        xanchor: left ? "left" : "right", yanchor: "bottom", yref: yref, y: t.value,
        showarrow: false, font: { size: 10, color: "#1b1b1b" } } };
      annotations.push(labels[key].annotation);
    });
    Object.keys(labels).forEach(function (key) {
      labels[key].annotation.text = labels[key].names.join(" / ") + " " + labels[key].value;
    });
    var layout = {
      margin: { l: 50, r: 50, t: 10, b: 40 },
      xaxis: { type: "date", tickformat: "%H:%M", automargin: true },
      yaxis: { title: { text: "mmHg" }, rangemode: "tozero" },
      yaxis2: { title: { text: "/min" }, overlaying: "y", side: "right", rangemode: "tozero",
        tickmode: "auto", showgrid: false },
      // Wide: three entries above the plot. Narrow: the series and every threshold line, below.
      legend: narrow ? { orientation: "h", x: 0, y: -0.12, yanchor: "top" }
        : { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      shapes: shapes,
      annotations: annotations
    };
    window.Plotly.newPlot(el, traces, layout, { displaylogo: false, displayModeBar: false, responsive: true });
  }

  function load() {
    fetch(el.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(draw)
      .catch(function () { el.textContent = "The chart could not be loaded; the readings are in the table."; });
  }

  load();
  // A vitals entry answers with the HX-Trigger "keel:vitals": redraw with the new reading.
  document.body.addEventListener("keel:vitals", load);
})();
