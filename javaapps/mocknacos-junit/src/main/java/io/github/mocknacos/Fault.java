package io.github.mocknacos;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fault to inject, as Go's {@code mocknacos.Fault}: what it hits (path,
 * method, gRPC type, service, protocol) and what it does (status, delay,
 * drop, discard), {@code count} times or until cleared. See the README,
 * "Faults".
 * <pre>
 * nacos.injectFault(Fault.grpcType("InstanceRequest").status(503).count(1));
 * nacos.injectFault(Fault.path("/nacos/v1/ns/instance").method("POST").status(503).count(2));
 * </pre>
 */
public final class Fault {
    final Map<String, Object> fields = new LinkedHashMap<>();

    public static Fault path(String path) { return new Fault().set("path", path); }
    public static Fault grpcType(String type) { return new Fault().set("type", type); }

    public Fault protocol(String v) { return set("protocol", v); }
    public Fault method(String v) { return set("method", v); }
    public Fault type(String v) { return set("type", v); }
    public Fault service(String v) { return set("service", v); }
    public Fault status(int v) { return set("status", v); }
    public Fault message(String v) { return set("message", v); }
    /** gRPC: refuse as a request filter does rather than as a throwing handler. */
    public Fault filter() { return set("filter", true); }
    public Fault drop() { return set("drop", true); }
    public Fault discard() { return set("discard", true); }
    public Fault count(int v) { return set("count", v); }
    public Fault delay(Duration d) { return set("delay", d.toMillis() + "ms"); }

    private Fault set(String k, Object v) {
        fields.put(k, v);
        return this;
    }

    @Override
    public String toString() {
        return "Fault" + Json.write(fields);
    }
}
