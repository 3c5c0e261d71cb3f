#!/usr/bin/env node
// node validate.js SCHEMA FILE...: validates each SARIF FILE against the JSON schema SCHEMA
// (draft-04, as the SARIF 2.1.0 schema is) with ajv, formats included. Prints one line per
// file, "FILE: valid" or "FILE: invalid" followed by one indented line per schema error.
// Exit 0 when every file is valid, 1 when any is not, 2 on a usage or schema error.
'use strict';
const fs = require('fs');
const Ajv = require('ajv');

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  console.error('usage: node validate.js SCHEMA FILE...');
  process.exit(2);
}

let validate;
try {
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  // draft-04 schemas name themselves with "id": ajv 6 reads that under schemaId "auto".
  const ajv = new Ajv({ schemaId: 'auto', allErrors: true, format: 'full' });
  ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
  validate = ajv.compile(schema);
} catch (e) {
  console.error(`${schemaPath}: cannot use as a schema: ${e.message}`);
  process.exit(2);
}

let failed = false;
for (const file of files) {
  let log;
  try {
    log = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`${file}: invalid\n  not JSON: ${e.message}`);
    failed = true;
    continue;
  }
  if (validate(log)) {
    console.log(`${file}: valid`);
    continue;
  }
  failed = true;
  console.log(`${file}: invalid`);
  for (const err of validate.errors) {
    const extra = err.params && err.params.additionalProperty
      ? ` (${err.params.additionalProperty})` : '';
    console.log(`  ${err.dataPath || '(root)'}: ${err.message}${extra}`);
  }
}
process.exit(failed ? 1 : 0);
