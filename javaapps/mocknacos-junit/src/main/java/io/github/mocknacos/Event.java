package io.github.mocknacos;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One journal event: a request the mock received (or a push it sent), as
 * {@code GET /__mock/journal} exports it. {@link #time()} is mock time,
 * {@link #wallTime()} the wall clock.
 */
public final class Event {
    /** Event kinds (the journal's {@code kind}). */
    public static final String REGISTER = "register", DEREGISTER = "deregister", BEAT = "beat",
            HEALTH_CHECK = "healthcheck", SUBSCRIBE = "subscribe", LIST = "list", UPDATE = "update", PATCH = "patch",
            PUSH = "push", CONFIG_GET = "config-get", CONFIG_PUBLISH = "config-publish", CONFIG_REMOVE = "config-remove",
            CONFIG_LISTEN = "config-listen", CONFIG_PUSH = "config-push", LOGIN = "login";

    private final Map<String, Object> raw;

    Event(Map<String, Object> raw) {
        this.raw = Collections.unmodifiableMap(raw);
    }

    public long seq() { return Json.num(raw, "seq"); }
    public Instant time() { return instant("time"); }
    public Instant wallTime() { return instant("wallTime"); }
    /** "http" or "grpc". */
    public String protocol() { return Json.str(raw, "protocol"); }
    public String kind() { return Json.str(raw, "kind"); }
    /** Normalised: "" is public. */
    public String namespace() { return Json.str(raw, "namespace"); }
    public String group() { return Json.str(raw, "group"); }
    /** The bare service name (for a config event, the dataId). */
    public String service() { return Json.str(raw, "service"); }
    public String cluster() { return Json.str(raw, "cluster"); }
    public String ip() { return Json.str(raw, "ip"); }
    public int port() { return (int) Json.num(raw, "port"); }
    public String connectionId() { return Json.str(raw, "connectionId"); }
    public String remote() { return Json.str(raw, "remote"); }
    public boolean rejected() { return Json.bool(raw, "rejected"); }
    public String error() { return Json.str(raw, "error"); }
    /** The fault that hit this request, described; "" when none. */
    public String fault() { return Json.str(raw, "fault"); }

    /** HTTP method, or "" for gRPC. */
    public String requestMethod() { return Json.str(Json.obj(raw, "request"), "method"); }
    public String requestPath() { return Json.str(Json.obj(raw, "request"), "path"); }
    /** The gRPC request type ("InstanceRequest"), or "" for HTTP. */
    public String requestType() { return Json.str(Json.obj(raw, "request"), "type"); }
    public String requestBody() { return Json.str(Json.obj(raw, "request"), "body"); }

    /** The request's parameters (HTTP), each with its values. */
    @SuppressWarnings("unchecked")
    public Map<String, List<String>> requestParams() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Json.obj(Json.obj(raw, "request"), "params").entrySet()) {
            List<String> vs = new ArrayList<>();
            for (Object o : (List<Object>) e.getValue()) {
                vs.add(String.valueOf(o));
            }
            out.put(e.getKey(), vs);
        }
        return out;
    }

    /** The HTTP status of the answer (0 for gRPC). */
    public int responseStatus() { return (int) Json.num(Json.obj(raw, "response"), "status"); }
    public int responseErrorCode() { return (int) Json.num(Json.obj(raw, "response"), "errorCode"); }
    public String responseType() { return Json.str(Json.obj(raw, "response"), "type"); }
    public String responseBody() { return Json.str(Json.obj(raw, "response"), "body"); }

    /** The event as exported, for anything not typed above. */
    public Map<String, Object> raw() { return raw; }

    private Instant instant(String k) {
        String v = Json.str(raw, k);
        return v.isEmpty() ? null : OffsetDateTime.parse(v).toInstant();
    }

    @Override
    public String toString() {
        return Json.write(raw);
    }
}
