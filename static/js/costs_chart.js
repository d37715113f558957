// The month's cost per cost centre (Costi Online): horizontal bars, data from json_script.
// Drawn on load and again whenever htmx swaps the part of the page that holds the chart.
(function () {
  let chart = null;

  function draw() {
    const canvas = document.getElementById("costs-chart");
    const source = document.getElementById("costs-chart-data");
    if (chart) {
      chart.destroy();
      chart = null;
    }
    if (!canvas || !source || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    const money = new Intl.NumberFormat(document.documentElement.lang || "it", { style: "currency", currency: "EUR" });
    // One bar every 2rem or so, so that long lists of cost centres stay readable.
    canvas.parentNode.style.height = Math.max(160, data.labels.length * 32 + 48) + "px";
    chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.amounts, backgroundColor: "#1f2a44" }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => money.format(c.parsed.x) } } },
        scales: { x: { beginAtZero: true, ticks: { callback: (v) => money.format(v) } } },
      },
    });
  }

  draw();
  document.body.addEventListener("htmx:afterSettle", draw);
})();
