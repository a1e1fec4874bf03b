// validate.mjs -- test-only: parse a dms-postrender output with the `yaml`
// package and validate every object against the Kubernetes OpenAPI schemas
// that kubernetes-models carries (ajv under the hood). Objects of an
// apiVersion/kind it has no model for (CRDs: MetalLB, cert-manager, ...) are
// counted as not validated, never as passed. Also checks Helm 4's
// post-render rules: every document has apiVersion and kind, every '---'
// line is alone or followed by a comment.
//
// Usage: node validate.mjs INPUT OUTPUT [INPUT OUTPUT]...   Validates each
// OUTPUT, and its INPUT the same way: a problem the input already had (a
// hand-written fixture without a selector, a third-party Secret whose data
// is not base64) is reported as pre-existing, never as a failure; only
// problems the output adds fail. Prints one line per pair; exit 1 on any
// failure.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

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

async function check(file) {
  const text = readFileSync(file, "utf8");
  const problems = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^---/.test(line) && !/^---[ \t]*(#.*)?$/.test(line))
      problems.push(`'---' followed by content (line ${i + 1})`);
  });
  let validated = 0, unknown = 0;
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
  return { problems, validated, unknown };
}

let failed = false;
const args = process.argv.slice(2);
for (let i = 0; i + 1 < args.length; i += 2) {
  const before = await check(args[i]);
  const after = await check(args[i + 1]);
  const known = new Set(before.problems);
  const added = after.problems.filter((p) => !known.has(p));
  const kept = after.problems.length - added.length;
  if (added.length) {
    failed = true;
    console.log(`FAIL ${args[i + 1]}: ${added.slice(0, 5).join("; ")}`);
  } else {
    console.log(`ok ${args[i + 1]}: ${after.validated} objects valid, ${after.unknown} without a schema` +
      (kept ? `, ${kept} problem(s) already in the input` : ""));
  }
}
process.exit(failed ? 1 : 0);
