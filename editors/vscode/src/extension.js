// The VS Code side of `oj lsp`: start the server for runbook TOML files and stop it on exit.
// Plain CommonJS, no build step. Highlighting, the schema and the problem matcher are static
// contributions of package.json and work without the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions(config) {
  const [command, ...args] = config.get("server.command", ["oj", "lsp"]);
  return { command, args, transport: TransportKind.stdio };
}

async function activate(context) {
  const config = vscode.workspace.getConfiguration("ojlang");
  if (!config.get("server.enabled", true)) {
    return;
  }
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "toml", pattern: "**/runbooks/*.toml" },
      { scheme: "file", language: "toml", pattern: "**/stdlib_runbooks/*.toml" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{runbooks,prompts}/**"),
    },
  };
  client = new LanguageClient("ojlang", "ojlang (oj lsp)", serverOptions(config), clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand("ojlang.restartServer", async () => {
      if (client) {
        await client.restart();
      }
    }),
  );
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
