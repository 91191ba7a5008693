#!/usr/bin/env node
// Validates Kubernetes objects against the official OpenAPI schemas (kubernetes-models).
// Usage: node validate.mjs FILE.json   (a JSON object, an array, or a list: {"kind":"List","items":[...]})
// Prints "valid: N object(s)" and exits 0, or prints one line per problem and exits 1.
import { readFileSync } from "node:fs";

const kinds = {
  "apps/v1/Deployment": async () => (await import("kubernetes-models/apps/v1/Deployment")).Deployment,
  "v1/Service": async () => (await import("kubernetes-models/v1/Service")).Service,
  "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
  "autoscaling/v2/HorizontalPodAutoscaler": async () => (await import("kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler")).HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": async () => (await import("kubernetes-models/policy/v1/PodDisruptionBudget")).PodDisruptionBudget,
};

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs FILE.json");
  process.exit(2);
}

const parsed = JSON.parse(readFileSync(file, "utf8"));
const items = Array.isArray(parsed) ? parsed : parsed.kind === "List" ? parsed.items : [parsed];
const problems = [];
for (const item of items) {
  const id = `${item.apiVersion}/${item.kind}`;
  const name = `${item.kind} ${item.metadata?.name}`;
  const load = kinds[id];
  if (!load) {
    problems.push(`${name}: no schema known for ${id}`);
    continue;
  }
  try {
    const Model = await load();
    new Model(item).validate();
  } catch (error) {
    problems.push(`${name}: ${error.message}`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.log(problem);
  process.exit(1);
}
console.log(`valid: ${items.length} object(s)`);
