// Acceptance: every GraphQL document the Linear client can send validates against Linear's
// published schema with graphql's own parse() + validate().
// Usage: node linear_schema.test.mjs <path to linear_documents_tool>
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate, OperationTypeNode } from 'graphql';

const tool = process.argv[2];
if (!tool) {
  console.error('usage: node linear_schema.test.mjs <linear_documents_tool>');
  process.exit(2);
}
const sharedDir = process.env.CONTEXTEN_SHARED_DIR;
if (!sharedDir) {
  console.error('CONTEXTEN_SHARED_DIR is not set');
  process.exit(2);
}

const schema = buildSchema(readFileSync(`${sharedDir}/contracts/linear/schema.graphql`, 'utf8'));
const documents = JSON.parse(execFileSync(tool, { encoding: 'utf8' }));

let failures = 0;
const counts = { query: 0, mutation: 0 };
for (const { name, text } of documents) {
  let ast;
  try {
    ast = parse(text);
  } catch (error) {
    console.error(`FAIL ${name}: parse error: ${error.message}`);
    failures++;
    continue;
  }
  const errors = validate(schema, ast);
  const operations = ast.definitions.filter((d) => d.kind === 'OperationDefinition');
  if (operations.length !== 1 || operations[0].name?.value !== name) {
    errors.push({ message: `expected exactly one operation named ${name}` });
  }
  if (errors.length > 0) {
    failures++;
    for (const e of errors) console.error(`FAIL ${name}: ${e.message}`);
    continue;
  }
  const op = operations[0].operation;
  counts[op === OperationTypeNode.MUTATION ? 'mutation' : 'query']++;
  console.log(`ok   ${name} (${op})`);
}

console.log(
  `${documents.length} documents: ${documents.length - failures} valid ` +
    `(${counts.query} queries, ${counts.mutation} mutations), ${failures} invalid`,
);
if (documents.length === 0) {
  console.error('no documents: the tool printed an empty list');
  process.exit(1);
}
process.exit(failures === 0 ? 0 : 1);
