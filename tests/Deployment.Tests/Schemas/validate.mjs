// Validates Kubernetes objects against their schemas: built-in kinds with kubernetes-models, ServiceMonitor, PodMonitor
// and PrometheusRule with @kubernetes-models/prometheus-operator, HTTPRoute with @kubernetes-models/gateway-api, and
// the Dapr kinds with our own JSON schemas in dapr/ (<kind>-<version>.schema.json; no package ships Dapr's). Run by Deployment.Tests:
//
//   node validate.mjs <node_modules folder> <objects.json>
//
// objects.json is [{ "source": "...", "object": { ...one object... } }, ...]. Prints one JSON line per object with
// its errors and exits 1 when any object has one (or has no schema), 0 otherwise.
import { readFile, access } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [modules, input] = process.argv.slice(2);
if (!modules || !input) {
  console.error("usage: node validate.mjs <node_modules folder> <objects.json>");
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const exists = (path) => access(path).then(() => true, () => false);

// apiVersion group → the package holding its models. A group without a dot (apps, policy, autoscaling) or ending in
// .k8s.io is Kubernetes' own, except the Gateway API's.
function modelPackage(group) {
  if (group === "monitoring.coreos.com") return "@kubernetes-models/prometheus-operator";
  if (group === "gateway.networking.k8s.io") return "@kubernetes-models/gateway-api";
  if (group === "" || !group.includes(".") || group.endsWith(".k8s.io")) return "kubernetes-models";
  return null;
}

async function loadModel(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = modelPackage(group);
  if (!pkg) return null;
  // Direct file paths: the packages are ES modules whose "exports" only resolve from a sibling node_modules.
  const file = join(modules, pkg, ...(group === "" ? [] : [group]), version, `${kind}.js`);
  if (!(await exists(file))) return null;
  return (await import(pathToFileURL(file).href))[kind];
}

const Ajv2020 = (await import(pathToFileURL(join(modules, "ajv", "dist", "2020.js")).href)).default;
// strictRequired off: "not": { "required": [...] } names properties declared beside it, not inside it; union types
// for a metadata value (string, number or boolean).
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const daprSchemas = new Map();
async function daprValidator(apiVersion, kind) {
  const [group, version] = apiVersion.split("/");
  if (group !== "dapr.io" || !version) return null;
  const file = join(here, "dapr", `${kind.toLowerCase()}-${version}.schema.json`);
  if (!daprSchemas.has(file)) {
    daprSchemas.set(file, (await exists(file)) ? ajv.compile(JSON.parse(await readFile(file, "utf8"))) : null);
  }
  return daprSchemas.get(file);
}

const pointer = (path) => path.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
const describe = (e) => `${e.instancePath || "/"} ${e.message}${e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : ""}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ""}`;

function errorsOf(Model, object) {
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    return error.errors;
  }
}

// Kubernetes' published schemas leave objects open (the API server prunes unknown fields, or rejects them under
// fieldValidation=Strict, the kubectl default), so validate() alone accepts a misspelled field. Like kubeconform
// -strict, a field must be one the schema declares: it is declared when a value of no JSON type in its place makes
// the schema report an error at exactly that field (a map such as labels declares every key).
function undeclaredFields(Model, object) {
  const notJson = () => {};
  const found = [];
  const walk = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i]));
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const key of Object.keys(node)) {
      const at = [...path, key];
      const probe = structuredClone(object);
      at.slice(0, -1).reduce((n, k) => n[k], probe)[key] = notJson;
      const where = pointer(at);
      if (errorsOf(Model, probe).some((e) => e.instancePath === where)) {
        walk(node[key], at);
      } else {
        found.push(`${where} is not a field of ${object.kind} (misspelled, or at the wrong level)`);
      }
    }
  };
  walk(object, []);
  return found;
}

// What the API server checks beyond the schema for every object: names and label values.
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
function apiServerRules(object) {
  const errors = [];
  const name = object.metadata?.name;
  if (typeof name !== "string" || name.length > 253 || !subdomain.test(name)) {
    errors.push(`/metadata/name ${JSON.stringify(name)} is not a DNS subdomain name`);
  }
  const labelSets = [["/metadata/labels", object.metadata?.labels], ["/spec/template/metadata/labels", object.spec?.template?.metadata?.labels], ["/spec/selector/matchLabels", object.spec?.selector?.matchLabels]];
  for (const [where, labels] of labelSets) {
    for (const [key, value] of Object.entries(labels ?? {})) {
      if (typeof value !== "string" || value.length > 63 || !labelValue.test(value)) {
        errors.push(`${where}/${key} ${JSON.stringify(value)} is not a valid label value`);
      }
    }
  }
  return errors;
}

let failed = 0;
for (const { source, object } of JSON.parse(await readFile(input, "utf8"))) {
  const { apiVersion = "", kind = "" } = object ?? {};
  let errors;
  const Model = await loadModel(apiVersion, kind);
  const dapr = Model ? null : await daprValidator(apiVersion, kind);
  if (Model) {
    const schemaErrors = errorsOf(Model, object).map(describe);
    errors = schemaErrors.length > 0 ? schemaErrors : undeclaredFields(Model, object);
  } else if (dapr) {
    errors = dapr(object) ? [] : dapr.errors.map(describe);
  } else {
    errors = [`no schema for apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)}`];
  }
  errors.push(...apiServerRules(object));
  if (errors.length > 0) failed++;
  console.log(JSON.stringify({ source, kind, name: object?.metadata?.name ?? null, errors }));
}
process.exit(failed > 0 ? 1 : 0);
