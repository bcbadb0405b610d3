// Check a compose file against the current Compose Specification schema
// (the compose-spec JSON schema that the npm package dclint bundles; its
// own CLI needs Node >= 20.19, this runs on Debian 12's Node 18 too).
// Every error names the key's path.
//   node compose_schema.js NODE_MODULES FILE.yml
'use strict';
const path = require('path');
const fs = require('fs');
const [nm, file] = process.argv.slice(2);
const Ajv = require(path.join(nm, 'ajv'));
const yaml = require(path.join(nm, 'js-yaml'));
const schema = JSON.parse(fs.readFileSync(path.join(nm, 'dclint', 'schemas', 'compose.schema.json'), 'utf8'));
// ajv knows draft-07 under its http id; the schema names the https one.
delete schema['$schema'];
// Formats (durations, ports) are docker-compose's to check; the shape and
// the key names are what this adds (additionalProperties: false).
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(schema);
const doc = yaml.load(fs.readFileSync(file, 'utf8'));
if (validate(doc)) {
	console.log('valid against the compose-spec schema');
	process.exit(0);
}
for (const e of validate.errors)
	console.log(`${file}: ${e.instancePath || '/'}: ${e.message}${e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : ''}`);
process.exit(1);
