#!/usr/bin/env node
'use strict';
/*
The config client of the nacos npm package (nacos-config: the 1.x HTTP
config API with long polling) driven over stdin, for one dataId and group.

Usage: node config.js [--server HOST:PORT] --data-id ID --group G --dir DIR
       (the server defaults to $NACOS_ADDR; $NACOS_USERNAME/$NACOS_PASSWORD
       and $NACOS_NAMESPACE, or --username/--password/--namespace, are
       passed to the SDK; snapshots go under DIR)

Commands, one per line:

  get                      getConfig: {"event":"get","content":...} (null: none)
  listen                   subscribe; every content the listener is handed
                           is a "change" line
  unlisten                 unSubscribe
  publish "JSON string" [type]
                           publishSingle with that content (and type)
  remove                   remove
  close                    close the client and exit (also on end of input)

Every event is one JSON object per line on stdout: {"event": ..., "at": ms}.
*/

const path = require('path');
const { NacosConfigClient } = require('nacos');
// nacos-config wraps its client in cluster-client, whose default makes the
// processes of a machine share one client: the first to bind 127.0.0.1:7777
// leads, and every later one becomes its follower and is served by the
// leader's client, connected to the LEADER's server. Concurrent programs
// (compat cells, other tests) then read and listen on each other's servers.
// A leader of its own on a port the OS picks keeps this process apart.
const clusterClient = require(require.resolve('cluster-client',
  { paths: [path.dirname(require.resolve('nacos-config/package.json'))] }));
const ownCluster = (clientClass, options) =>
  clusterClient(clientClass, Object.assign({}, options, { isLeader: true, port: 0 }));
const { SDK_VERSION, parseArgs, emit, errorText, commandLoop, run } = require('./lib');

async function main() {
  const a = parseArgs(process.argv.slice(2), ['data-id', 'group']);
  const dataId = a['data-id'];
  const group = a.group;
  const t0 = Date.now();
  const opts = { serverAddr: a.server, cacheDir: a.dir, requestTimeout: 6000, cluster: ownCluster };
  if (a.namespace) opts.namespace = a.namespace;
  if (a.username) Object.assign(opts, { username: a.username, password: a.password });
  const client = new NacosConfigClient(opts);
  client.on('error', err => emit('sdk-error', { error: errorText(err) }));
  await client.ready();
  emit('started', { clientVersion: SDK_VERSION, ms: Date.now() - t0 });

  const listener = content => emit('change', { dataId, group, content: content === undefined ? null : content });

  commandLoop(async (cmd, args, rest) => {
    switch (cmd) {
      case 'get':
        emit('get', { dataId, group, content: await client.getConfig(dataId, group) });
        break;
      case 'listen':
        client.subscribe({ dataId, group }, listener);
        emit('listening', { dataId, group });
        break;
      case 'unlisten':
        client.unSubscribe({ dataId, group }, listener);
        emit('unlistened', { dataId, group });
        break;
      case 'publish': {
        // The content is a JSON string; an optional type follows it.
        const end = rest.lastIndexOf('"');
        const content = JSON.parse(rest.slice(0, end + 1));
        const type = rest.slice(end + 1).trim() || undefined;
        emit('published', { dataId, group, ok: await client.publishSingle(dataId, group, content, { type }) });
        break;
      }
      case 'remove':
        emit('removed', { dataId, group, ok: await client.remove(dataId, group) });
        break;
      default:
        throw new Error('unknown command');
    }
  }, () => client.close());
}

run(main);
