#!/usr/bin/env python3
"""nacos-sdk-python v2 (package v2.nacos, gRPC) naming client driven over stdin.

Usage: naming_v2.py [--server 127.0.0.1:PORT] --service NAME --port N --dir DIR
       [--username U --password P]
       (the server defaults to $NACOS_ADDR, the credentials to
       $NACOS_USERNAME and $NACOS_PASSWORD; none: auth off)

The SDK talks gRPC to PORT+1000 (GRPCConfig.port_offset). Logs and the
naming cache go under DIR. Commands, one per line on stdin:

  register     register 127.0.0.1:N (weight 2, metadata lang/client/version)
  subscribe    subscribe; every view the SDK hands the callback is a "push"
  deregister   deregister 127.0.0.1:N
  query        list_instances(subscribe=False)
  list         list_services (ServiceListRequest)
  close        shutdown the client and exit (also on end of input)

Every event is one JSON object per line on stdout: {"event": ..., "at": ms}.
A failed command prints {"event":"error","op":...,"error":...} and goes on.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from importlib.metadata import version

from v2.nacos import (ClientConfigBuilder, DeregisterInstanceParam, GRPCConfig,
                      ListInstanceParam, ListServiceParam, NacosNamingService,
                      RegisterInstanceParam, SubscribeServiceParam)

SDK_VERSION = version("nacos-sdk-python")


def emit(event, **fields):
    fields = {"event": event, "at": int(time.time() * 1000), **fields}
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def host(i):
    return {"ip": i.ip, "port": i.port, "weight": i.weight, "healthy": i.healthy,
            "enabled": i.enabled, "ephemeral": i.ephemeral, "cluster": i.clusterName,
            "instanceId": i.instanceId, "service": i.serviceName,
            "metadata": dict(i.metadata or {})}


async def close(naming):
    """shutdown() closes the gRPC connection (it sends no deregister), then
    fails in 2.0.11: it awaits ServiceInfoUpdater.stop(), which is not a
    coroutine (TypeError). The connection is closed by then; the error is
    reported as a field of "closed" and the program exits either way."""
    err = None
    try:
        await naming.shutdown()
    except Exception as e:  # never loop on a failed close
        err = "%s: %s" % (type(e).__name__, e)
    emit("closed", shutdownError=err)


async def main():
    ap = argparse.ArgumentParser()
    # The server: --server, or $NACOS_ADDR (host:port), to point the program at
    # any server (the mock binary, a real Nacos).
    ap.add_argument("--server", default=os.environ.get("NACOS_ADDR"), required="NACOS_ADDR" not in os.environ)
    ap.add_argument("--service", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    # Credentials when the server has auth on (empty: none).
    ap.add_argument("--username", default=os.environ.get("NACOS_USERNAME") or None)
    ap.add_argument("--password", default=os.environ.get("NACOS_PASSWORD") or None)
    a = ap.parse_args()

    t0 = time.time()
    cfg = (ClientConfigBuilder()
           .server_address(a.server)
           .log_dir(os.path.join(a.dir, "logs"))
           .cache_dir(os.path.join(a.dir, "cache"))
           .log_level(logging.INFO)
           .load_cache_at_start(False)
           .grpc_config(GRPCConfig(grpc_timeout=5000))
           .username(a.username)
           .password(a.password)
           .build())
    naming = await NacosNamingService.create_naming_service(cfg)
    emit("started", clientVersion=SDK_VERSION, ms=int((time.time() - t0) * 1000))

    async def on_change(instances):
        emit("push", hosts=[host(i) for i in instances or []])

    meta = {"lang": "python", "client": "nacos-sdk-python", "version": SDK_VERSION}
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        cmd = line.strip() if line else "close"
        if not cmd:
            continue
        if cmd == "close":
            await close(naming)
            return
        try:
            if cmd == "register":
                ok = await naming.register_instance(RegisterInstanceParam(
                    service_name=a.service, ip="127.0.0.1", port=a.port, weight=2.0, metadata=meta))
                emit("registered", ok=ok)
            elif cmd == "subscribe":
                await naming.subscribe(SubscribeServiceParam(service_name=a.service, subscribe_callback=on_change))
                emit("subscribed")
            elif cmd == "deregister":
                ok = await naming.deregister_instance(DeregisterInstanceParam(
                    service_name=a.service, ip="127.0.0.1", port=a.port))
                emit("deregistered", ok=ok)
            elif cmd == "query":
                ins = await naming.list_instances(ListInstanceParam(
                    service_name=a.service, subscribe=False, healthy_only=None))
                emit("query", hosts=[host(i) for i in ins])
            elif cmd == "list":
                sl = await naming.list_services(ListServiceParam(page_no=1, page_size=100))
                emit("list", count=sl.count, services=list(sl.services))
            else:
                emit("error", op=cmd, error="unknown command")
        except Exception as e:  # report and go on: the test decides
            emit("error", op=cmd, error="%s: %s" % (type(e).__name__, e))


if __name__ == "__main__":
    asyncio.run(main())
