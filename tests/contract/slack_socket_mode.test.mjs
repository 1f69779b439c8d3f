// Contract: Slack's official Socket Mode client (@slack/socket-mode) cannot tell the sandbox
// Slack from Slack. It opens a connection through apps.connections.open at the sandbox's API
// URL, receives a slash command envelope, acks it, and the sandbox records the ack.
// Usage: node slack_socket_mode.test.mjs <path to slack_sandbox_tool>
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { LogLevel, SocketModeClient } from "@slack/socket-mode";

const tool = process.argv[2];
if (!tool) {
  console.error("usage: node slack_socket_mode.test.mjs <slack_sandbox_tool>");
  process.exit(2);
}

const DEADLINE_MS = 30000;
const child = spawn(tool, [], { stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: child.stdout });
const waiting = [];
const buffered = [];
lines.on("line", (line) => {
  const next = waiting.shift();
  if (next) next(line);
  else buffered.push(line);
});
const readLine = () =>
  buffered.length ? Promise.resolve(buffered.shift()) : new Promise((r) => waiting.push(r));
const ask = async (command) => {
  child.stdin.write(command + "\n");
  return readLine();
};

let client;
const finish = async (code, message) => {
  if (message) (code === 0 ? console.log : console.error)(message);
  try {
    if (client) await client.disconnect();
  } catch {}
  child.stdin.end("quit\n");
  process.exit(code);
};
setTimeout(() => finish(1, "FAIL: timed out"), DEADLINE_MS).unref();

const api = (await readLine()).replace(/^API /, "");
const appToken = (await readLine()).replace(/^TOKEN /, "");

client = new SocketModeClient({
  appToken,
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: api + "/" },
});
const received = new Promise((resolve) => {
  client.on("slash_commands", async ({ body, ack }) => {
    await ack();
    resolve(body);
  });
});
await client.start();

const envelopeId = (await ask("inject")).replace(/^ENVELOPE /, "");
const body = await received;
if (body.command !== "/contexten") await finish(1, `FAIL: unexpected body ${JSON.stringify(body)}`);

while (true) {
  const answer = await ask(`ack? ${envelopeId}`);
  if (answer.startsWith("ACKED ")) {
    await finish(0, `ok: @slack/socket-mode acked ${envelopeId} (${answer.split(" ")[2]} us)`);
  }
  await new Promise((r) => setTimeout(r, 50));
}
