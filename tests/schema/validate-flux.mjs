// validate-flux.mjs -- test-only: validate every Flux object of a file
// (HelmRelease helm.toolkit.fluxcd.io/v2, HelmRepository
// source.toolkit.fluxcd.io/v1) against the schemas of Flux's CRDs that the
// npm package @kubernetes-models/flux-cd carries. Any other kind, and a file
// with no Flux object, is a failure. Usage: node validate-flux.mjs FILE;
// prints "validate-flux: ok, N objects" or the first problem (exit 1).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { HelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2";
import { HelmRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";

const models = {
  "helm.toolkit.fluxcd.io/v2 HelmRelease": HelmRelease,
  "source.toolkit.fluxcd.io/v1 HelmRepository": HelmRepository,
};
const file = process.argv[2];
let n = 0;
for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
  if (doc.errors.length) { console.log(`validate-flux: ${file}: ${doc.errors[0].message}`); process.exit(1); }
  const obj = doc.toJS();
  if (obj === null) continue;
  const Model = models[`${obj.apiVersion} ${obj.kind}`];
  if (!Model) { console.log(`validate-flux: ${file}: no Flux schema for ${obj.apiVersion} ${obj.kind}`); process.exit(1); }
  try {
    new Model(obj).validate();
  } catch (e) {
    console.log(`validate-flux: ${file}: ${obj.kind} ${obj.metadata && obj.metadata.name}: ${e.message}`);
    process.exit(1);
  }
  n++;
}
if (!n) { console.log(`validate-flux: ${file}: no Flux object`); process.exit(1); }
console.log(`validate-flux: ok, ${n} objects`);
