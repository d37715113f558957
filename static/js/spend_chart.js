// The manager home's spend chart: bars of the amounts invoiced per month (data from json_script).
(function () {
  const canvas = document.getElementById("spend-chart");
  const source = document.getElementById("spend-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const money = new Intl.NumberFormat(document.documentElement.lang || "it", { style: "currency", currency: "EUR" });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: data.label, data: data.amounts, backgroundColor: "#1f2a44" }],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => money.format(c.parsed.y) } } },
      scales: { y: { beginAtZero: true, ticks: { callback: (v) => money.format(v) } } },
    },
  });
})();
