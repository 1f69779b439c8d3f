// Acceptance: what the Linear client sends and reads agrees with Linear's published schema.
// - the variables of every request LinearGraphqlClient sent (every LinearApi call, with all
//   optional fields set and with only the required ones) coerce to the operation's declared
//   variable types (graphql's getVariableValues), and none is undeclared;
// - every response field path the client's readers read is selected by the operation's document
//   (fragments expanded), so a reader never waits for a field the query does not ask for;
// - every document was sent at least once.
// Usage: node linear_requests.test.mjs <path to linear_requests_tool>
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildSchema, getVariableValues, Kind, parse } from 'graphql';

const tool = process.argv[2];
if (!tool) {
  console.error('usage: node linear_requests.test.mjs <linear_requests_tool>');
  process.exit(2);
}
const sharedDir = process.env.CONTEXTEN_SHARED_DIR;
if (!sharedDir) {
  console.error('CONTEXTEN_SHARED_DIR is not set');
  process.exit(2);
}

const schema = buildSchema(readFileSync(`${sharedDir}/contracts/linear/schema.graphql`, 'utf8'));
const { documents: allDocuments, requests, reads } = JSON.parse(
  execFileSync(tool, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
);

// Response paths a document selects: "issueCreate.issue.labels.nodes.id" (response keys, so
// aliases count; fragments and inline fragments expanded; list levels have no index).
function selectedPaths(document) {
  const fragments = new Map(
    document.definitions
      .filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const paths = new Set();
  const walk = (selectionSet, prefix, seen) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const path = prefix ? `${prefix}.${key}` : key;
        paths.add(path);
        if (selection.selectionSet) walk(selection.selectionSet, path, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, prefix, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        if (seen.has(name) || !fragments.has(name)) continue;
        walk(fragments.get(name).selectionSet, prefix, new Set([...seen, name]));
      }
    }
  };
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  walk(operation.selectionSet, '', new Set());
  return paths;
}

let failures = 0;
const fail = (message) => {
  failures++;
  console.error(`FAIL ${message}`);
};

const documents = new Map();  // operationName -> {document, operation}
let variablesChecked = 0;
for (const request of requests) {
  const label = `${request.call} -> ${request.operationName}`;
  let document;
  try {
    document = parse(request.query);
  } catch (error) {
    fail(`${label}: query does not parse: ${error.message}`);
    continue;
  }
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === request.operationName,
  );
  if (!operation) {
    fail(`${label}: the query has no operation named ${request.operationName}`);
    continue;
  }
  documents.set(request.operationName, { document, operation });
  const declared = new Set(operation.variableDefinitions.map((v) => v.variable.name.value));
  for (const name of Object.keys(request.variables)) {
    if (!declared.has(name)) fail(`${label}: variable $${name} is sent but not declared`);
  }
  const { errors } = getVariableValues(schema, operation.variableDefinitions, request.variables);
  if (errors && errors.length) {
    for (const e of errors) fail(`${label}: ${e.message}`);
    continue;
  }
  variablesChecked += Object.keys(request.variables).length;
  console.log(`ok   ${label}: variables ${JSON.stringify(Object.keys(request.variables))}`);
}

let pathsChecked = 0;
for (const [operationName, paths] of Object.entries(reads)) {
  const sent = documents.get(operationName);
  if (!sent) {
    fail(`${operationName}: read paths reported for an operation never sent`);
    continue;
  }
  const selected = selectedPaths(sent.document);
  const unselected = paths.filter((p) => !selected.has(p));
  for (const p of unselected) fail(`${operationName}: the client reads ${p}, the document does not select it`);
  pathsChecked += paths.length;
  if (unselected.length === 0) console.log(`ok   ${operationName}: ${paths.length} read paths selected`);
}

// Every document the client has is sent by some call (a new one needs a call in the tool).
for (const name of allDocuments) {
  if (!documents.has(name)) fail(`${name}: no LinearApi call sent this document`);
  else if (!reads[name]?.length) fail(`${name}: no read path found (the probe saw nothing read)`);
}

console.log(
  `${requests.length} requests, ${variablesChecked} variables coerced, ` +
    `${pathsChecked} read paths checked over ${Object.keys(reads).length} operations, ` +
    `${failures} failures`,
);
if (requests.length === 0) fail('the tool sent no requests');
process.exit(failures === 0 ? 0 : 1);
