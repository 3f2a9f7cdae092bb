#!/usr/bin/env node
'use strict';
/*
The naming client of the nacos npm package (nacos-naming: the 1.x HTTP API
with its beat loop and a UDP push receiver) driven over stdin.

Usage: node naming.js [--server HOST:PORT] --service NAME --dir DIR [--group G]
       (the server defaults to $NACOS_ADDR; $NACOS_USERNAME/$NACOS_PASSWORD
       and $NACOS_NAMESPACE, or --username/--password/--namespace, are
       passed to the SDK)

Commands, one per line, with optional key=value arguments:

  register port=N [weight=W] [cluster=C] [beatInterval=MS]
                  registerInstance 127.0.0.1:N with metadata
                  lang/client/version (beatInterval= adds
                  preserved.heart.beat.interval); the SDK's beat loop then
                  beats for it
  deregister port=N [cluster=C]   deregisterInstance (its beats stop)
  list [subscribe=true]           getAllInstances (default subscribe=false:
                                  straight from the server)
  select [healthy=false] [subscribe=true]
                                  selectInstances (healthy, enabled, weight > 0)
  subscribe                       subscribe; every view the listener is
                                  handed is a "push" line
  unsubscribe                     unSubscribe
  status                          getServerStatus (UP or DOWN)
  close                           close the client and exit (also on end of input)

Every event is one JSON object per line on stdout: {"event": ..., "at": ms}.
*/

const { NacosNamingClient } = require('nacos');
const { SDK_VERSION, parseArgs, emit, errorText, logger, commandLoop, run } = require('./lib');

function host(h) {
  return {
    ip: h.ip, port: h.port, weight: h.weight, healthy: h.healthy, enabled: h.enabled, ephemeral: h.ephemeral,
    cluster: h.clusterName, instanceId: h.instanceId, service: h.serviceName, metadata: h.metadata || {},
  };
}

async function main() {
  const a = parseArgs(process.argv.slice(2), ['service']);
  const group = a.group || 'DEFAULT_GROUP';
  const t0 = Date.now();
  const opts = { logger, serverList: a.server, namespace: a.namespace || 'public' };
  if (a.username) Object.assign(opts, { username: a.username, password: a.password });
  const client = new NacosNamingClient(opts);
  client.on('error', err => emit('sdk-error', { error: errorText(err) }));
  await client.ready();
  emit('started', { clientVersion: SDK_VERSION, ms: Date.now() - t0 });

  const meta = { lang: 'node', client: 'nacos-sdk-nodejs', version: SDK_VERSION };
  const instance = args => ({ ip: '127.0.0.1', port: Number(args.port), clusterName: args.cluster });
  const listener = hosts => emit('push', { hosts: (hosts || []).map(host) });

  commandLoop(async (cmd, args) => {
    switch (cmd) {
      case 'register': {
        const metadata = Object.assign({}, meta);
        if (args.beatInterval) metadata['preserved.heart.beat.interval'] = args.beatInterval;
        await client.registerInstance(a.service, Object.assign(instance(args), {
          weight: Number(args.weight || '1'), metadata,
        }), group);
        emit('registered', { ok: true, port: Number(args.port) });
        break;
      }
      case 'deregister':
        await client.deregisterInstance(a.service, instance(args), group);
        emit('deregistered', { ok: true, port: Number(args.port) });
        break;
      case 'list': {
        const hosts = await client.getAllInstances(a.service, group, args.clusters || '', args.subscribe === 'true');
        emit('list', { hosts: (hosts || []).map(host) });
        break;
      }
      case 'select': {
        const hosts = await client.selectInstances(a.service, group, args.clusters || '', args.healthy !== 'false',
          args.subscribe === 'true');
        emit('select', { hosts: hosts.map(host) });
        break;
      }
      case 'subscribe':
        client.subscribe({ serviceName: a.service, groupName: group }, listener);
        emit('subscribed', {});
        break;
      case 'unsubscribe':
        client.unSubscribe({ serviceName: a.service, groupName: group }, listener);
        emit('unsubscribed', {});
        break;
      case 'status':
        emit('status', { status: await client.getServerStatus() });
        break;
      default:
        throw new Error('unknown command');
    }
  }, () => client.close());
}

run(main);
