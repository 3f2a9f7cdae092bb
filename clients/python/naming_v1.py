#!/usr/bin/env python3
"""nacos-sdk-python v1 (package nacos, HTTP 1.x API) naming client driven
over stdin.

Usage: naming_v1.py [--server 127.0.0.1:PORT] --service NAME --dir DIR
       [--username U --password P]
       (the server defaults to $NACOS_ADDR, the credentials to
       $NACOS_USERNAME and $NACOS_PASSWORD; none: auth off)

Logs go under DIR. Commands, one per line on stdin, with optional
key=value arguments:

  register port=N [cluster=C] [weight=W] [heartbeat=SEC]
                 add_naming_instance for 127.0.0.1:N, metadata
                 lang/client/version. Without cluster= the SDK sends
                 clusterName=None literally. With heartbeat= the SDK's own
                 beat thread beats every SEC seconds (first beat at once).
  beat port=N [cluster=C]      one send_heartbeat
  list [healthyOnly=true]      list_naming_instance
  remove port=N [cluster=C]    stop the beat thread (and wait for it), then
                               remove_naming_instance
  close                        exit (also on end of input)

Every event is one JSON object per line on stdout: {"event": ..., "at": ms}.
A failed command prints {"event":"error","op":...,"error":...} and goes on.
"""

import argparse
import json
import os
import sys
import time
from importlib.metadata import version

import nacos

SDK_VERSION = version("nacos-sdk-python")


def emit(event, **fields):
    fields = {"event": event, "at": int(time.time() * 1000), **fields}
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def host(h):
    return {"ip": h.get("ip"), "port": h.get("port"), "weight": h.get("weight"), "healthy": h.get("healthy"),
            "enabled": h.get("enabled"), "ephemeral": h.get("ephemeral"), "cluster": h.get("clusterName"),
            "instanceId": h.get("instanceId"), "service": h.get("serviceName"),
            "metadata": h.get("metadata") or {}}


def stop_beats(client, service, port):
    """Stop the SDK's beat thread for service/port and wait for it to end.
    remove_naming_instance stops it only after the DELETE, so a beat in
    flight could re-register the instance (the server re-registers from the
    beat JSON); stopping first makes the removal deterministic."""
    task = client.heartbeats.get("%s#%s#%s" % (service, "127.0.0.1", port))
    if task:
        task.stop()
        task.join()


def main():
    ap = argparse.ArgumentParser()
    # The server: --server, or $NACOS_ADDR (host:port), to point the program at
    # any server (the mock binary, a real Nacos).
    ap.add_argument("--server", default=os.environ.get("NACOS_ADDR"), required="NACOS_ADDR" not in os.environ)
    ap.add_argument("--service", required=True)
    ap.add_argument("--dir", required=True)
    # Credentials when the server has auth on (empty: none).
    ap.add_argument("--username", default=os.environ.get("NACOS_USERNAME") or None)
    ap.add_argument("--password", default=os.environ.get("NACOS_PASSWORD") or None)
    a = ap.parse_args()

    t0 = time.time()
    client = nacos.NacosClient(a.server, namespace="", username=a.username, password=a.password,
                               logDir=os.path.join(a.dir, "logs"))
    emit("started", clientVersion=SDK_VERSION, userAgent="Nacos-Python-Client:v" + nacos.client.VERSION,
         ms=int((time.time() - t0) * 1000))
    meta = {"lang": "python", "client": "nacos-sdk-python-v1", "version": SDK_VERSION}

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd, args = words[0], dict(w.split("=", 1) for w in words[1:] if "=" in w)
        try:
            if cmd == "register":
                port = int(args["port"])
                hb = float(args["heartbeat"]) if "heartbeat" in args else None
                ok = client.add_naming_instance(a.service, "127.0.0.1", port, cluster_name=args.get("cluster"),
                                                weight=float(args.get("weight", "1")), metadata=meta,
                                                heartbeat_interval=hb)
                emit("registered", ok=ok, port=port)
            elif cmd == "beat":
                port = int(args["port"])
                res = client.send_heartbeat(a.service, "127.0.0.1", port, cluster_name=args.get("cluster"),
                                            metadata=meta)
                emit("beat", port=port, response=res)
            elif cmd == "list":
                res = client.list_naming_instance(a.service, healthy_only=args.get("healthyOnly") == "true")
                emit("list", name=res.get("name"), clusters=res.get("clusters"),
                     hosts=[host(h) for h in res.get("hosts") or []], response=res)
            elif cmd == "remove":
                port = int(args["port"])
                stop_beats(client, a.service, port)
                ok = client.remove_naming_instance(a.service, "127.0.0.1", port, cluster_name=args.get("cluster"))
                emit("removed", ok=ok, port=port)
            elif cmd == "close":
                break
            else:
                emit("error", op=cmd, error="unknown command")
        except Exception as e:  # report and go on: the test decides
            emit("error", op=cmd, error="%s: %s" % (type(e).__name__, e))
    for task in list(client.heartbeats.values()):
        task.stop()
    emit("closed")


if __name__ == "__main__":
    main()
