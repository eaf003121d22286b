/* Life chart: fetch the JSON named by data-src and draw it with Plotly.
 * In the spirit of the NIMH life chart: depression scales below the zero line, mood-elevation
 * scales above it (percent of each scale's maximum), the daily diary's mood on a second axis,
 * sleep in a lower panel, sessions, medicine records and alerts as markers, and the protocol's
 * threshold lines with their parameter names in the hover text.
 * Loaded as a file (no inline script: the CSP forbids it). The tables under the chart list
 * every value, so the chart is a visual aid, not the only copy. */
(function () {
  "use strict";
  var el = document.getElementById("life-chart");
  if (!el || !window.Plotly) { return; }

  var colours = {
    phq9: "#1a4480", qids_sr16: "#0076d6", madrs: "#162e51",
    asrm: "#c05600", ymrs: "#8b0a03",
    mood: "#4d8055", sleep: "#73b3e7", session: "#5e519e", medicine: "#3d4551",
    urgent: "#b50909", red: "#8b0a03", amber: "#e5a000", routine: "#71767a"
  };
  var dashes = ["dot", "dash", "dashdot", "longdash", "longdashdot"];

  function text(value) { return value === null || value === undefined ? "" : String(value); }

  function escapeHtml(value) {
    return text(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function extent(data) {
    var times = [];
    data.series.forEach(function (s) { times = times.concat(s.time); });
    data.diary.forEach(function (d) { times.push(d.date); });
    data.sessions.forEach(function (s) { times.push(s.time); });
    data.alerts.forEach(function (a) { times.push(a.time); });
    data.medicines.forEach(function (m) { times.push(m.time); });
    if (!times.length) { return null; }
    var ms = times.map(function (t) { return Date.parse(t); }).filter(function (v) { return !isNaN(v); });
    var lo = Math.min.apply(null, ms), hi = Math.max.apply(null, ms);
    var pad = Math.max((hi - lo) * 0.03, 86400000);
    return [new Date(lo - pad).toISOString(), new Date(hi + pad).toISOString()];
  }

  function ratingTraces(data) {
    return data.series.map(function (s) {
      var hover = s.time.map(function (t, i) {
        var bits = [s.label + " " + (s.total[i] === null ? "incomplete" : s.total[i] + " / " + s.max)];
        if (s.acute_post_dose[i]) { bits.push("acute post-dose rating"); }
        bits.push(s.purpose[i].replace("_", " "));
        return escapeHtml(bits.join(" · "));
      });
      return {
        type: "scatter", mode: "lines+markers", name: s.label + (s.direction === "depression" ? " (↓)" : " (↑)"),
        x: s.time, y: s.y, text: hover, hovertemplate: "%{text}<br>%{x}<extra></extra>",
        connectgaps: true,
        line: { color: colours[s.instrument_id] || "#1b1b1b", width: 2 },
        marker: {
          size: 8, color: colours[s.instrument_id] || "#1b1b1b",
          symbol: s.acute_post_dose.map(function (a) { return a ? "circle-open" : "circle"; }),
          line: { width: 2, color: colours[s.instrument_id] || "#1b1b1b" }
        }
      };
    });
  }

  function thresholdTraces(data, range) {
    return data.thresholds.map(function (t, i) {
      var hover = escapeHtml(t.label + " = " + t.value + " (parameter " + t.parameter + ")");
      return {
        type: "scatter", mode: "lines", name: t.label, legendgroup: "thresholds", showlegend: false,
        yaxis: t.axis === "diary" ? "y2" : "y",
        x: range, y: [t.y, t.y], text: [hover, hover], hovertemplate: "%{text}<extra></extra>",
        line: {
          color: t.instrument_id === "diary" ? colours.mood : (colours[t.instrument_id] || "#565c65"),
          width: 1, dash: dashes[i % dashes.length]
        }
      };
    });
  }

  function diaryTraces(data) {
    var d = data.diary;
    if (!d.length) { return []; }
    var dates = d.map(function (x) { return x.date; });
    return [
      {
        type: "scatter", mode: "lines+markers", name: "Diary mood (−3…+3)", yaxis: "y2",
        x: dates, y: d.map(function (x) { return x.mood; }), line: { color: colours.mood, shape: "hv", width: 1 },
        marker: { size: 4, color: colours.mood },
        hovertemplate: "Diary mood %{y}<br>%{x}<extra></extra>"
      },
      {
        type: "bar", name: "Sleep (hours)", yaxis: "y3", x: dates,
        y: d.map(function (x) { return x.sleep_hours; }),
        marker: { color: d.map(function (x) { return x.felt_less_need_for_sleep ? colours.asrm : colours.sleep; }) },
        text: d.map(function (x) { return x.felt_less_need_for_sleep ? "felt less need for sleep" : ""; }),
        hovertemplate: "Sleep %{y} h %{text}<br>%{x}<extra></extra>"
      }
    ];
  }

  function markerTraces(data) {
    var traces = [];
    if (data.sessions.length) {
      traces.push({
        type: "scatter", mode: "markers", name: "Sessions",
        x: data.sessions.map(function (s) { return s.time; }),
        y: data.sessions.map(function () { return 0; }),
        text: data.sessions.map(function (s) {
          var dose = s.dose_mg === null ? "no dose recorded" : s.dose_mg + " mg";
          return escapeHtml("Session " + s.number + " · " + dose + " · " + s.route_label + " · " + s.state_label);
        }),
        hovertemplate: "%{text}<br>%{x}<extra></extra>",
        marker: {
          symbol: data.sessions.map(function (s) { return s.given ? "diamond" : "diamond-open"; }),
          size: 12, color: colours.session, line: { width: 2, color: colours.session }
        }
      });
    }
    if (data.medicines.length) {
      traces.push({
        type: "scatter", mode: "markers", name: "Medicines recorded",
        x: data.medicines.map(function (m) { return m.time; }),
        y: data.medicines.map(function () { return -100; }),
        text: data.medicines.map(function (m) {
          var list = m.antimanic_agents.concat(m.other_medications).join(", ");
          return escapeHtml((m.changed ? "Changed: " : "Recorded: ") + list);
        }),
        hovertemplate: "%{text}<br>%{x}<extra></extra>",
        marker: {
          symbol: data.medicines.map(function (m) { return m.changed ? "square" : "square-open"; }),
          size: 10, color: colours.medicine
        }
      });
    }
    if (data.alerts.length) {
      traces.push({
        type: "scatter", mode: "markers", name: "Alerts",
        x: data.alerts.map(function (a) { return a.time; }),
        y: data.alerts.map(function () { return 100; }),
        text: data.alerts.map(function (a) {
          return escapeHtml(a.severity_label + " · " + a.category_label + " · " + a.title + " · " + a.status_label);
        }),
        hovertemplate: "%{text}<br>%{x}<extra></extra>",
        marker: {
          symbol: "triangle-down", size: 13,
          color: data.alerts.map(function (a) { return colours[a.severity] || colours.routine; }),
          line: { width: 1, color: "#1b1b1b" }
        }
      });
    }
    return traces;
  }

  function draw(data) {
    var range = extent(data);
    if (!range) {
      el.textContent = "Nothing recorded yet: the chart fills in as ratings, diary days and sessions are recorded.";
      el.classList.remove("keel-life-chart");
      return;
    }
    var traces = ratingTraces(data)
      .concat(diaryTraces(data))
      .concat(markerTraces(data))
      .concat(thresholdTraces(data, range));
    var shapes = [{
      type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: 0, y1: 0,
      line: { color: "#1b1b1b", width: 1 }
    }];
    data.sessions.forEach(function (s) {
      if (!s.given) { return; }
      shapes.push({
        type: "line", xref: "x", x0: s.time, x1: s.time, yref: "y", y0: -100, y1: 100,
        line: { color: colours.session, width: 1, dash: "dot" }, opacity: 0.35
      });
    });
    var layout = {
      margin: { l: 60, r: 60, t: 10, b: 40 },
      hovermode: "closest",
      xaxis: { type: "date", range: range, anchor: "y3", title: { text: "Date (" + data.time_zone + ")" } },
      yaxis: {
        domain: [0.3, 1], range: [-105, 105], zeroline: false,
        title: { text: "← depression · mood elevation → (% of scale max)" },
        tickvals: [-100, -50, 0, 50, 100], ticktext: ["100 %", "50 %", "0", "50 %", "100 %"]
      },
      yaxis2: {
        overlaying: "y", side: "right", range: [-3.15, 3.15], zeroline: false,
        title: { text: "Diary mood" }, tickvals: [-3, -2, -1, 0, 1, 2, 3], showgrid: false
      },
      yaxis3: { domain: [0, 0.22], title: { text: "Sleep (h)" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.12 },
      shapes: shapes,
      bargap: 0.2
    };
    window.Plotly.newPlot(el, traces, layout, { displaylogo: false, displayModeBar: false, responsive: true });
  }

  fetch(el.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
    .then(draw)
    .catch(function () { el.textContent = "The chart could not be loaded; the data are in the tables below."; });
})();
