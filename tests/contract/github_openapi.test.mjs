// ACCEPTANCE (issue 4.3): every REST request the GitHub client can make matches an operation
// of @octokit/openapi: method, path template, every query parameter declared by that operation
// (or its path) as `in: query`, and every required JSON body property present.
// Usage: node github_openapi.test.mjs <path of github_requests_tool>
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tool = process.argv[2];
if (!tool) {
  console.error('usage: node github_openapi.test.mjs <github_requests_tool>');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const specPath = require.resolve('@octokit/openapi/generated/api.github.com.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

const output = execFileSync(tool, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const requests = output.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

function resolve(schema, seen = new Set()) {
  while (schema && schema.$ref) {
    if (seen.has(schema.$ref)) return {};
    seen.add(schema.$ref);
    const parts = schema.$ref.replace(/^#\//, '').split('/');
    schema = parts.reduce((node, key) => node?.[key], spec);
  }
  return schema ?? {};
}

// Missing required properties for `body` under `schema` (allOf: all; oneOf/anyOf: the best
// alternative); [] when satisfied.
function missing(schema, body) {
  schema = resolve(schema);
  const misses = [];
  for (const name of schema.required ?? []) {
    if (body === null || typeof body !== 'object' || !(name in body)) misses.push(name);
  }
  for (const part of schema.allOf ?? []) misses.push(...missing(part, body));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    const results = alternatives.map((alt) => missing(alt, body));
    if (!results.some((r) => r.length === 0)) {
      misses.push(`one of: ${results.map((r) => r.join('+')).join(' | ')}`);
    }
  }
  return misses;
}

const templates = Object.keys(spec.paths).map((template) => ({
  template,
  segments: template.split('/'),
}));

function matchTemplates(path) {
  const segments = path.split('/');
  return templates
    .filter((t) => t.segments.length === segments.length &&
      t.segments.every((s, i) => /^\{[^}]+\}$/.test(s) || s === segments[i]))
    // The most literal template wins (/pulls/{n}/files over /pulls/{n}/{x} if both existed).
    .map((t) => ({ ...t, literal: t.segments.filter((s) => !s.startsWith('{')).length }))
    .sort((a, b) => b.literal - a.literal);
}

// Names of the query parameters `operation` (and its path item) declares.
function queryParameters(pathItem, operation) {
  const names = new Set();
  for (const p of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const parameter = resolve(p);
    if (parameter.in === 'query') names.add(parameter.name);
  }
  return names;
}

let matched = 0;
let queryChecked = 0;
const misses = [];
const operations = new Set();
for (const request of requests) {
  const method = request.method.toLowerCase();
  const candidates = matchTemplates(request.path);
  const hit = candidates.find((t) => spec.paths[t.template][method]);
  if (!hit) {
    misses.push(`${request.method} ${request.path}: no operation in @octokit/openapi`);
    continue;
  }
  const operation = spec.paths[hit.template][method];
  const declared = queryParameters(spec.paths[hit.template], operation);
  const sent = [...new URLSearchParams(request.query ?? '').keys()];
  const undeclared = sent.filter((name) => !declared.has(name));
  if (undeclared.length) {
    misses.push(`${request.method} ${hit.template} (${operation.operationId}): query ` +
      `parameter(s) ${undeclared.join(', ')} not declared (declared: ${[...declared].join(', ')})`);
    continue;
  }
  queryChecked += sent.length;
  const requestBody = resolve(operation.requestBody);
  const schema = requestBody?.content?.['application/json']?.schema;
  if (requestBody?.required && (request.body === null || request.body === undefined)) {
    misses.push(`${request.method} ${hit.template}: request body required but none sent`);
    continue;
  }
  if (schema && request.body !== null && request.body !== undefined) {
    const absent = missing(schema, request.body);
    if (absent.length) {
      misses.push(`${request.method} ${hit.template} (${operation.operationId}): missing ` +
        `required body field(s) ${absent.join(', ')}`);
      continue;
    }
  }
  matched += 1;
  operations.add(operation.operationId);
  const query = sent.length ? `  ?${sent.join('&')}` : '';
  console.log(`ok   ${request.method.padEnd(5)} ${hit.template}  [${operation.operationId}]${query}`);
}

console.log(`\n${requests.length} requests, ${matched} matched, ${operations.size} distinct ` +
  `operations, ${queryChecked} query parameters declared, ${misses.length} misses`);
for (const miss of misses) console.error(`MISS ${miss}`);
if (requests.length === 0) {
  console.error('the tool produced no requests');
  process.exit(1);
}
if (queryChecked === 0) {
  // The client sends filters and paging as query parameters; none seen means the log lost them.
  console.error('no query parameters in any request: nothing was checked');
  process.exit(1);
}
process.exit(misses.length === 0 ? 0 : 1);
