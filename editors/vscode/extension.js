// The VS Code client for archc: starts `archc lsp` for .arch files.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('archc').get('path') || 'archc';
  const server = { command, args: ['lsp'] };
  client = new LanguageClient(
    'archc',
    'archc',
    { run: server, debug: server },
    { documentSelector: [{ language: 'arch' }] }
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('archc.path')) {
        vscode.window.showInformationMessage('archc.path changed: reload the window to use it.');
      }
    })
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
