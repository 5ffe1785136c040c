// Tokenize TOML files with the TOML grammar of tm-grammars plus the ojlang injection grammars
// of editors/vscode, as VS Code does; print one line per token: `L:C text | scopes`.
// Usage: node tokenize.mjs FILE...   (tests/editors/test_grammar.py snapshots the output)
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = path.dirname(fileURLToPath(import.meta.url));
const vscodeDir = path.resolve(here, "../../editors/vscode");
const manifest = JSON.parse(fs.readFileSync(path.join(vscodeDir, "package.json"), "utf8"));
const grammarsDir = path.dirname(require.resolve("tm-grammars/grammars/toml.json"));

const files = { "source.toml": path.join(grammarsDir, "toml.json"), "source.shell": path.join(grammarsDir, "shellscript.json") };
const injections = [];
for (const g of manifest.contributes.grammars) {
  files[g.scopeName] = path.join(vscodeDir, g.path);
  if ((g.injectTo || []).includes("source.toml")) injections.push(g.scopeName);
}

const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));

const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) => {
    const file = files[scopeName];
    if (!file) return null;
    return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
  },
  getInjections: (scopeName) => (scopeName === "source.toml" ? injections : undefined),
});

const grammar = await registry.loadGrammar("source.toml");
const out = [];
for (const file of process.argv.slice(2)) {
  out.push(`== ${path.basename(file)}`);
  let stack = vsctm.INITIAL;
  const lines = fs.readFileSync(file, "utf8").split("\n");
  lines.forEach((line, index) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      const text = line.slice(token.startIndex, token.endIndex);
      if (!text.trim()) continue;
      const scopes = token.scopes.filter((s) => s !== "source.toml").join(" ");
      out.push(`${index + 1}:${token.startIndex + 1} ${JSON.stringify(text)} | ${scopes}`);
    }
    stack = result.ruleStack;
  });
}
process.stdout.write(out.join("\n") + "\n");
