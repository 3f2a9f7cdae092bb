'use strict';
// What naming.js and config.js share: options, the JSON-lines output, the
// stdin command loop and a logger for the SDK (to stderr).

const readline = require('readline');
const util = require('util');

const SDK_VERSION = require('nacos/package.json').version;

// parseArgs reads --name value pairs; the server defaults to $NACOS_ADDR,
// the credentials to $NACOS_USERNAME / $NACOS_PASSWORD.
function parseArgs(argv, required) {
  const a = {
    server: process.env.NACOS_ADDR,
    username: process.env.NACOS_USERNAME,
    password: process.env.NACOS_PASSWORD,
    namespace: process.env.NACOS_NAMESPACE,
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      throw new Error('usage: --name value ...; got ' + argv.slice(i).join(' '));
    }
    a[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['server', 'dir'].concat(required)) {
    if (!a[k]) throw new Error('missing --' + k + (k === 'server' ? ' (or NACOS_ADDR)' : ''));
  }
  return a;
}

function emit(event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ event, at: Date.now() }, fields)) + '\n');
}

function errorText(err) {
  return (err && err.name ? err.name + ': ' : '') + (err && err.message ? err.message : String(err));
}

// logger is what the SDK's naming client requires; its lines go to stderr.
const logger = {};
for (const level of ['debug', 'info', 'warn', 'error']) {
  logger[level] = (...args) => {
    const text = util.format(...args.map(a => (a instanceof Error ? a.stack : a)));
    process.stderr.write(new Date().toISOString() + ' ' + level.toUpperCase() + ' ' + text + '\n');
  };
}

// commandLoop runs handler(cmd, args, rest) for every line of stdin, one
// at a time; "key=value" words are args, rest is the line after the command.
// A failed command prints {"event":"error","op":...} and the loop goes on.
// End of input, or "close", ends it; then onClose runs and the process exits.
function commandLoop(handler, onClose) {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  let queue = Promise.resolve();
  let closing = false;
  const finish = () => {
    if (closing) return queue;
    closing = true;
    return queue.then(onClose)
      .catch(err => emit('error', { op: 'close', error: errorText(err) }))
      .then(() => { emit('closed', {}); process.exit(0); });
  };
  rl.on('line', line => {
    const trimmed = line.trim();
    if (!trimmed || closing) return;
    const cmd = trimmed.split(/\s+/, 1)[0];
    const rest = trimmed.slice(cmd.length).trim();
    const args = {};
    for (const w of rest.split(/\s+/)) {
      const i = w.indexOf('=');
      if (i > 0) args[w.slice(0, i)] = w.slice(i + 1);
    }
    if (cmd === 'close') {
      finish();
      return;
    }
    queue = queue.then(() => handler(cmd, args, rest))
      .catch(err => emit('error', { op: cmd, error: errorText(err) }));
  });
  rl.on('close', finish);
}

// run runs a program's main; a failure to start is an "error" line, exit 1.
function run(main) {
  main().catch(err => {
    emit('error', { op: 'start', error: errorText(err) });
    process.exit(1);
  });
}

module.exports = { SDK_VERSION, parseArgs, emit, errorText, logger, commandLoop, run };
