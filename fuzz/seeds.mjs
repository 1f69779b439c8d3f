// Writes the public seed inputs for the fuzz targets into OUT/<target>/ (scripts/fuzz.sh):
// Slack's Socket Mode envelopes and interaction payloads from ../shared/contracts/slack/fixtures,
// and GitHub's webhook examples from @octokit/webhooks-examples (tests/contract/node_modules),
// each in the input format its target reads (see the comment at the top of each *_fuzzer.cpp).
//   node fuzz/seeds.mjs SHARED_DIR NODE_MODULES_DIR OUT
import fs from 'node:fs';
import path from 'node:path';

const [sharedDir, nodeModules, out] = process.argv.slice(2);
const counts = {};
function write(target, name, data) {
  const dir = path.join(out, target);
  fs.mkdirSync(dir, {recursive: true});
  fs.writeFileSync(path.join(dir, name.replace(/[^A-Za-z0-9_.-]/g, '_')), data);
  counts[target] = (counts[target] || 0) + 1;
}
const prefixed = (byte, text) => Buffer.concat([Buffer.from([byte]), Buffer.from(text)]);

// scripts/fuzz.sh caps the Slack targets' inputs at 8 KB (-max_len), and libFuzzer cuts longer
// seeds there, which leaves invalid JSON. A sample over the cap is therefore also written in a
// small form with the same shape: arrays are cut, the most deeply nested first and to as many
// items as fit (a select's hundreds of options and rich text's runs go first; a modal keeps as
// many of its blocks as it can).
const kMaxLen = 8192;
const size = (value) => JSON.stringify(value).length;
const depth = (value) => (value && typeof value === 'object')
    ? 1 + Math.max(0, ...Object.values(value).map(depth)) : 0;
// `keep` items of an array, one of each `type` first (blocks, elements), in their order.
const pick = (array, keep) => {
  if (array.length <= keep) return array;
  const seen = new Set();
  const first = array.map((v, i) => [v, i]).filter(([v]) => {
    const fresh = !seen.has(v?.type);
    seen.add(v?.type);
    return fresh;
  });
  const chosen = new Set(first.slice(0, keep).map(([, i]) => i));
  for (let i = 0; chosen.size < keep; ++i) chosen.add(i);
  return array.filter((_, i) => chosen.has(i));
};
// Arrays nested deeper than `level` keep two items, those at `level` n, shallower ones all.
const cut = (value, level, n, at = 0) => {
  if (!value || typeof value !== 'object') return value;
  const keep = at > level ? 2 : at === level ? n : Infinity;
  if (Array.isArray(value)) return pick(value, keep).map((v) => cut(v, level, n, at + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v, level, n, at + 1)]));
};
const shrink = (value) => {
  for (let level = depth(value); level >= 0; --level) {
    for (const n of [16, 8, 4, 2]) {
      const small = cut(value, level, n);
      if (size(small) + 1 < kMaxLen) return small;
    }
  }
  return cut(value, 0, 1);
};
function writeJson(target, name, byte, json) {
  const text = JSON.stringify(json);
  const data = (t) => (byte === null ? t : prefixed(byte, t));
  write(target, name, data(text));
  if (text.length + 1 > kMaxLen) write(target, `${name}.small`, data(JSON.stringify(shrink(json))));
}
const envelopeTypes = {events_api: 0, slash_commands: 1, interactive: 2};

const fixtures = path.join(sharedDir, 'contracts/slack/fixtures');
if (fs.existsSync(fixtures)) {
  for (const file of fs.readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort()) {
    const text = fs.readFileSync(path.join(fixtures, file), 'utf8');
    let json;
    try { json = JSON.parse(text); } catch { continue; }
    if (file.startsWith('sm_') || file.startsWith('docs_hello') || file.startsWith('docs_disconnect')) {
      write('socket_mode_envelope', file, text);
      if (text.length > kMaxLen) write('socket_mode_envelope', `${file}.small`, JSON.stringify(shrink(json)));
      if (json.payload && json.type in envelopeTypes) {
        writeJson('interaction_payload', file, envelopeTypes[json.type], json.payload);
      }
    }
    if (file.startsWith('payload_') || file.startsWith('event_')) {
      const type = file.startsWith('payload_event_callback') || file.startsWith('event_') ? 0 : 2;
      write('interaction_payload', file, prefixed(type, text));
    }
    // Blocks and views as Slack itself sent them, for the validator.
    const message = json.payload?.message ?? json.message;
    if (message?.blocks) writeJson('block_kit_validate', `${file}.message`, 0, message);
    const view = json.payload?.view ?? json.view;
    if (view?.blocks) writeJson('block_kit_validate', `${file}.view`, view.type === 'home' ? 2 : 1, view);
  }
}

const examples = path.join(nodeModules, '@octokit/webhooks-examples/api.github.com/index.json');
if (fs.existsSync(examples)) {
  for (const event of JSON.parse(fs.readFileSync(examples, 'utf8'))) {
    event.examples.forEach((example, i) => {
      write('github_webhook', `${event.name}_${i}`, `${event.name}\n\n${JSON.stringify(example)}`);
    });
  }
}
console.log(Object.entries(counts).map(([t, n]) => `${t}: ${n}`).join(', ') || 'no public seeds found');
