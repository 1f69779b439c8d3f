// Contract: every example in @octokit/webhooks-examples is POSTed, correctly signed, to the
// running webhook endpoint and answered 2xx; the event types we handle all parse into typed
// events; nothing crashes. Usage: node github_webhooks.test.mjs <path to webhook_server_tool>
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { sign } from "@octokit/webhooks-methods";

const HANDLED = [
  "pull_request", "pull_request_review", "issues", "issue_comment", "push", "workflow_run",
  "workflow_job", "check_run", "check_suite", "status", "deployment_status", "release",
];
const CONCURRENCY = 8;

const tool = process.argv[2];
if (!tool) {
  console.error("usage: node github_webhooks.test.mjs <webhook_server_tool>");
  process.exit(2);
}

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.error(`FAIL: ${message}`);
};

const index = JSON.parse(
  readFileSync(
    new URL("./node_modules/@octokit/webhooks-examples/api.github.com/index.json", import.meta.url),
  ),
);
const deliveries = [];
for (const event of index) {
  for (const example of event.examples) {
    deliveries.push({ name: event.name, body: JSON.stringify(example) });
  }
}
const expectedPerEvent = new Map();
for (const d of deliveries) expectedPerEvent.set(d.name, (expectedPerEvent.get(d.name) ?? 0) + 1);

// 1. Our signature equals GitHub's own implementation, on the published vector and a payload.
function toolSign(secret, body) {
  const r = spawnSync(tool, ["sign", secret], { input: body, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sign exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}
for (const [secret, body] of [
  ["It's a Secret to Everybody", "Hello, World!"],
  ["mysecret", '{"foo":"bar"}'],
  ["contract", deliveries[0].body],
]) {
  const ours = toolSign(secret, body);
  const theirs = await sign(secret, body);
  if (ours !== theirs) fail(`signature mismatch for a ${body.length}-byte body: ${ours} vs ${theirs}`);
}

// 2. Serve, POST everything.
const secret = `contract-secret-${randomUUID()}`;
const child = spawn(tool, [], {
  env: { ...process.env, CONTEXTEN_GITHUB_WEBHOOK_SECRET: secret },
  stdio: ["pipe", "pipe", "inherit"],
});
let exited = null;
const exitPromise = new Promise((resolve) =>
  child.on("exit", (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }),
);
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const nextLine = async () => {
  const { value, done } = await lines.next();
  if (done) throw new Error(`tool closed stdout (exit ${JSON.stringify(exited)})`);
  return value;
};

const first = await nextLine();
const match = /^PORT (\d+)$/.exec(first);
if (!match) throw new Error(`expected "PORT <n>", got ${first}`);
const url = `http://127.0.0.1:${match[1]}/webhooks/github`;

const statusCounts = new Map();
async function post({ name, body }) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "GitHub-Hookshot/contract",
      "X-GitHub-Event": name,
      "X-GitHub-Delivery": randomUUID(),
      "X-Hub-Signature-256": await sign(secret, body),
    },
    body,
  });
  const text = await response.text();
  statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1);
  if (response.status < 200 || response.status > 299) {
    fail(`${name}: answered ${response.status} ${text.slice(0, 200)}`);
  }
}
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < deliveries.length) await post(deliveries[next++]);
  }),
);

// 3. Ask the tool what it stored and parsed.
child.stdin.write("stats\n");
const stats = JSON.parse(await nextLine());
child.stdin.end();
const { code, signal } = await exitPromise;
if (code !== 0) fail(`tool exited with ${code ?? signal}`);

if (stats.accepted !== deliveries.length) {
  fail(`accepted ${stats.accepted}, expected ${deliveries.length}`);
}
if (stats.inbox_rows !== deliveries.length) {
  fail(`inbox holds ${stats.inbox_rows} rows, expected ${deliveries.length}`);
}
if (stats.parse_failures !== 0) {
  fail(`${stats.parse_failures} parse failures: ${JSON.stringify(stats.failures).slice(0, 2000)}`);
}
if (Object.keys(stats.rejected).length !== 0) fail(`rejections: ${JSON.stringify(stats.rejected)}`);
for (const name of HANDLED) {
  const expected = expectedPerEvent.get(name) ?? 0;
  const got = stats.events[name]?.typed ?? 0;
  if (expected === 0) fail(`the corpus has no ${name} examples`);
  if (got !== expected) fail(`${name}: ${got} of ${expected} examples typed-parsed`);
}
for (const [name, expected] of expectedPerEvent) {
  const got = stats.events[name]?.accepted ?? 0;
  if (got !== expected) fail(`${name}: ${got} of ${expected} examples processed`);
}

console.log(
  `${deliveries.length} payloads, ${expectedPerEvent.size} events: ${stats.accepted} accepted, ` +
    `${stats.typed} typed, ${stats.skipped} skipped, ${stats.parse_failures} parse failures ` +
    `(HTTP ${[...statusCounts].map(([s, n]) => `${s}x${n}`).join(" ")})`,
);
if (failures.length > 0) {
  console.error(`${failures.length} failure(s)`);
  process.exit(1);
}
