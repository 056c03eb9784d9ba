// A small instrumented HTTP service for the compose demo (no dependencies): serves GET /, drives its own traffic,
// and exports http_requests_total{status} and the http_request_duration_seconds histogram on /metrics.
// SAMPLE_ERROR_RATE and SAMPLE_LATENCY_MS make a "bad version" to deploy.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const errorRate = Number(process.env.SAMPLE_ERROR_RATE ?? 0.004);
const latencyMs = Number(process.env.SAMPLE_LATENCY_MS ?? 40);
const version = process.env.SAMPLE_VERSION ?? 'v1';
const rps = Number(process.env.SAMPLE_RPS ?? 20);
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const requests = new Map(); // status → count
const buckets = BUCKETS.map(() => 0);
let count = 0;
let sum = 0;

function observe(status, seconds) {
  requests.set(status, (requests.get(status) ?? 0) + 1);
  BUCKETS.forEach((le, i) => {
    if (seconds <= le) buckets[i] += 1;
  });
  count += 1;
  sum += seconds;
}

function metrics() {
  const lines = ['# TYPE http_requests_total counter'];
  for (const [status, n] of requests) lines.push(`http_requests_total{status="${status}",version="${version}"} ${n}`);
  lines.push('# TYPE http_request_duration_seconds histogram');
  BUCKETS.forEach((le, i) => lines.push(`http_request_duration_seconds_bucket{le="${le}"} ${buckets[i]}`));
  lines.push(
    `http_request_duration_seconds_bucket{le="+Inf"} ${count}`,
    `http_request_duration_seconds_sum ${sum}`,
    `http_request_duration_seconds_count ${count}`,
  );
  const usage = process.cpuUsage();
  lines.push('# TYPE process_cpu_seconds_total counter', `process_cpu_seconds_total ${(usage.user + usage.system) / 1e6}`);
  lines.push('# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${process.memoryUsage().rss}`);
  return `${lines.join('\n')}\n`;
}

const server = createServer((req, res) => {
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
    return;
  }
  const started = process.hrtime.bigint();
  const delay = latencyMs * (0.7 + 0.6 * Math.random());
  setTimeout(() => {
    const status = Math.random() < errorRate ? 503 : 200;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? `hello from ${version}\n` : 'unavailable\n');
    observe(status, Number(process.hrtime.bigint() - started) / 1e9);
  }, delay);
});

server.listen(port, () => {
  console.log(`sample ${version} on :${port} (error rate ${errorRate}, latency ~${latencyMs} ms, ${rps} req/s of own traffic)`);
  if (rps > 0)
    setInterval(
      () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
      1000 / rps,
    ).unref();
});
// close() waits for idle keep-alive connections, and the service's own traffic keeps some open: close them too.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
