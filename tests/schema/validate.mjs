// validate.mjs -- test-only: parse a dms-postrender output with the `yaml`
// package and validate every object against the Kubernetes OpenAPI schemas
// that kubernetes-models carries (ajv under the hood). Objects of an
// apiVersion/kind it has no model for (CRDs: MetalLB, cert-manager, ...) are
// counted as not validated, never as passed. Also checks Helm 4's
// post-render rules: every document has apiVersion and kind, every '---'
// line is alone or followed by a comment.
//
// Objects of a custom resource whose real upstream CRD is in CRD_DIR (the
// environment variable; ../shared/reference/crds) are validated against that
// CRD's openAPIV3Schema for their version (ajv; the CEL rules in
// x-kubernetes-validations are not evaluated), and a field whose schema
// description has a "Deprecated:" paragraph is a problem unless the pair is preceded by
// the argument --allow-deprecated (the case asks for it, e.g. Traefik's
// inline proxyProtocol).
//
// Usage: node validate.mjs INPUT OUTPUT [INPUT OUTPUT]...   Validates each
// OUTPUT, and its INPUT the same way: a problem the input already had (a
// hand-written fixture without a selector, a third-party Secret whose data
// is not base64) is reported as pre-existing, never as a failure; only
// problems the output adds fail. Prints one line per pair; exit 1 on any
// failure.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parse, parseAllDocuments } from "yaml";

// "group/version Kind" -> { validate, schema } from the upstream CRDs.
const crds = new Map();
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });
function loadCrds(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { loadCrds(path); continue; }
    if (!/\.ya?ml$/.test(name)) continue;
    const crd = parse(readFileSync(path, "utf8"));
    if (!crd || crd.kind !== "CustomResourceDefinition") continue;
    for (const v of crd.spec.versions || []) {
      const schema = v.schema && v.schema.openAPIV3Schema;
      if (!schema) continue;
      const key = `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`;
      // Two files of one kind (Cilium's 1.18- and 1.19-era): the first read wins.
      if (!crds.has(key)) crds.set(key, { validate: ajv.compile(schema), schema, file: name });
    }
  }
}
// Without the shared test data there are no CRDs: such objects are then
// counted as without a schema, and schema.sh says SKIP for the CRDs.
if (process.env.CRD_DIR && existsSync(process.env.CRD_DIR)) loadCrds(process.env.CRD_DIR);

// Paths of OBJ's fields whose schema says they are deprecated.
function deprecated(obj, schema, path, out) {
  if (!schema || obj === null || typeof obj !== "object") return;
  if (Array.isArray(obj)) {
    obj.forEach((x, i) => deprecated(x, schema.items, `${path}[${i}]`, out));
    return;
  }
  for (const [k, v] of Object.entries(obj)) {
    const sub = schema.properties && schema.properties[k];
    if (!sub) continue;
    // Go's convention, which the CRD generators copy: a paragraph "Deprecated: ...".
    if (/(^|\n)\s*Deprecated:/.test(sub.description || "")) out.push(`${path}.${k}`);
    deprecated(v, sub, `${path}.${k}`, out);
  }
}

const models = new Map(); // "apps/v1" -> module namespace, or null

async function model(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  if (!models.has(apiVersion)) {
    try {
      models.set(apiVersion, await import(`kubernetes-models/${apiVersion}`));
    } catch {
      models.set(apiVersion, null);
    }
  }
  const mod = models.get(apiVersion);
  return mod && typeof mod[kind] === "function" ? mod[kind] : null;
}

async function check(file, allowDeprecated) {
  const text = readFileSync(file, "utf8");
  const problems = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^---/.test(line) && !/^---[ \t]*(#.*)?$/.test(line))
      problems.push(`'---' followed by content (line ${i + 1})`);
  });
  let validated = 0, unknown = 0, crdValidated = 0;
  const docs = parseAllDocuments(text, { maxAliasCount: 10000 });
  if (!Array.isArray(docs)) problems.push("not a YAML stream");
  for (const [n, doc] of (Array.isArray(docs) ? docs : []).entries()) {
    if (doc.errors.length) {
      problems.push(`document ${n + 1}: ${doc.errors[0].message.split("\n")[0]}`);
      continue;
    }
    let obj;
    try {
      obj = doc.toJS({ maxAliasCount: 10000 });
    } catch (e) {
      problems.push(`document ${n + 1}: ${String(e.message || e).split("\n")[0]}`);
      continue;
    }
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== "object" || !obj.apiVersion || !obj.kind) {
      problems.push(`a document without apiVersion and kind`);
      continue;
    }
    const items = /List$/.test(obj.kind) && Array.isArray(obj.items) ? obj.items : [obj];
    for (const item of items) {
      const crd = crds.get(`${item.apiVersion} ${item.kind}`);
      if (crd) {
        const name = item.metadata && item.metadata.name;
        if (!crd.validate(item)) {
          const e = crd.validate.errors[0];
          problems.push(`${item.kind} ${name}: ${e.instancePath || "/"} ${e.message} (CRD ${crd.file})`);
        }
        const old = [];
        deprecated(item, crd.schema, "", old);
        if (old.length && !allowDeprecated)
          problems.push(`${item.kind} ${name}: deprecated field ${old[0]} (CRD ${crd.file})`);
        crdValidated++;
        continue;
      }
      const Model = await model(item.apiVersion, item.kind);
      if (!Model) {
        unknown++;
        continue;
      }
      try {
        new Model(item).validate();
        validated++;
      } catch (e) {
        const name = item.metadata && item.metadata.name;
        problems.push(`${item.kind} ${name}: ${String(e.message || e).split("\n").slice(0, 3).join(" | ")}`);
      }
    }
  }
  return { problems, validated, unknown, crdValidated };
}

let failed = false;
const args = process.argv.slice(2);
for (let i = 0; i + 1 < args.length; i += 2) {
  const allow = args[i] === "--allow-deprecated";
  if (allow) i++;
  const before = await check(args[i], allow);
  const after = await check(args[i + 1], allow);
  const known = new Set(before.problems);
  const added = after.problems.filter((p) => !known.has(p));
  const kept = after.problems.length - added.length;
  if (added.length) {
    failed = true;
    console.log(`FAIL ${args[i + 1]}: ${added.slice(0, 5).join("; ")}`);
  } else {
    console.log(`ok ${args[i + 1]}: ${after.validated} objects valid, ${after.crdValidated} valid by their ` +
      `upstream CRD, ${after.unknown} without a schema` +
      (kept ? `, ${kept} problem(s) already in the input` : ""));
  }
}
process.exit(failed ? 1 : 0);
