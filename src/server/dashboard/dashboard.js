// fraudstream live dashboard: one SSE connection, uPlot for the throughput series.
(() => {
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'MINIMAL'];
  const COLORS = {
    CRITICAL: '#ff4d6d',
    HIGH: '#ff8c42',
    MEDIUM: '#ffd166',
    LOW: '#6fb1fc',
    MINIMAL: '#5c667d',
    allow: '#5fd38d',
    review: '#ffd166',
    block: '#ff4d6d',
  };
  const WINDOW = 300;
  const xs = [];
  const ys = [];

  const chart = new uPlot(
    {
      width: $('chart-rate').clientWidth || 900,
      height: 200,
      series: [{}, { label: 'events/s', stroke: '#4ecdc4', width: 2, fill: 'rgba(78,205,196,0.12)' }],
      axes: [
        { stroke: '#8b93a7', grid: { stroke: '#232b3d' } },
        { stroke: '#8b93a7', grid: { stroke: '#232b3d' } },
      ],
      legend: { show: false },
    },
    [xs, ys],
    $('chart-rate'),
  );
  window.addEventListener('resize', () => chart.setSize({ width: $('chart-rate').clientWidth, height: 200 }));

  function bars(el, counts, order) {
    const keys = order ?? Object.keys(counts);
    const max = Math.max(1, ...keys.map((k) => counts[k] ?? 0));
    el.innerHTML = keys
      .map((k) => {
        const n = counts[k] ?? 0;
        const w = Math.round((100 * n) / max);
        return `<div class="row"><span>${k}</span><div class="bar" style="width:${w}%;background:${COLORS[k] ?? '#4ecdc4'}"></div><span class="n">${fmt.format(n)}</span></div>`;
      })
      .join('');
  }

  function table(el, rows, label) {
    el.innerHTML = (rows ?? [])
      .map(
        (r) =>
          `<tr><td>${escapeHtml(r[label])}</td><td class="num">${(100 * r.fraudRate).toFixed(1)}%</td><td class="num">${fmt.format(r.count)}</td></tr>`,
      )
      .join('');
  }

  function escapeHtml(s) {
    return String(s).replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  }

  function onStats(s) {
    $('state').textContent = s.state;
    $('state').className = `pill ${s.state}`;
    $('uptime').textContent = `up ${Math.round(s.uptimeMs / 1000)} s`;
    $('kpi-rate').textContent = fmt.format(s.eventsPerSec);
    $('kpi-events').textContent = fmt.format(s.events);
    $('kpi-alerts').textContent = fmt.format(s.alerts);
    $('kpi-dlq').textContent = fmt.format(s.deadLetters);
    $('kpi-lag').textContent = fmt.format(s.lag);
    xs.push(s.t / 1000);
    ys.push(s.eventsPerSec);
    if (xs.length > WINDOW) {
      xs.shift();
      ys.shift();
    }
    chart.setData([xs, ys]);
    bars($('levels'), s.levels ?? {}, LEVELS);
    bars($('decisions'), s.decisions ?? {}, ['allow', 'review', 'block']);
    table($('merchants'), s.topMerchants, 'merchant');
    table($('countries'), s.topCountries, 'country');
    const breakers = (s.breakers ?? []).map(
      (b) =>
        `<div>${escapeHtml(b.name)}: <b class="${b.state === 'closed' ? 'ok' : 'bad'}">${b.state}</b></div>`,
    );
    const monitor = (s.monitorAlerts ?? []).map(
      (a) =>
        `<div class="bad">⚠ ${escapeHtml(a.rule)} (${escapeHtml(a.severity)}): ${escapeHtml(a.message)}</div>`,
    );
    $('health').innerHTML = breakers
      .concat(monitor.length ? monitor : ['<div class="ok">monitor: no active alerts</div>'])
      .join('');
  }

  function onAlert(a) {
    const li = document.createElement('li');
    li.innerHTML = `<span class="lvl ${escapeHtml(a.level)}">${escapeHtml(a.level)}</span><span>$${Number(a.amount).toFixed(2)}</span><span>${escapeHtml(a.customer)}</span><span>${escapeHtml((a.reasons ?? []).join(', '))}</span>`;
    const feed = $('alerts');
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 100) feed.removeChild(feed.lastChild);
  }

  const source = new EventSource('/api/v1/live');
  source.addEventListener('stats', (e) => onStats(JSON.parse(e.data)));
  source.addEventListener('alert', (e) => onAlert(JSON.parse(e.data)));
  source.onerror = () => {
    $('state').textContent = 'disconnected';
    $('state').className = 'pill ERROR';
  };
})();
