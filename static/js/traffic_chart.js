// A line's traffic per day: Internet megabytes as bars, call minutes as a line (data from json_script).
(function () {
  const canvas = document.getElementById("traffic-chart");
  const source = document.getElementById("traffic-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: data.data_label, data: data.data_mb, backgroundColor: "#1f2a44", yAxisID: "mb" },
        { type: "line", label: data.calls_label, data: data.call_minutes, borderColor: "#c2410c", backgroundColor: "#c2410c", yAxisID: "min" },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        mb: { beginAtZero: true, position: "left", title: { display: true, text: data.data_label } },
        min: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: data.calls_label } },
      },
    },
  });
})();
