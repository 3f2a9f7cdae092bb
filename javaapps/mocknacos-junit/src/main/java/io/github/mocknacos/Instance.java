package io.github.mocknacos;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instance: one to register ({@link #of}) or one the mock holds (from
 * {@link MockNacos#instances}, with health, protocol and the time since its
 * last beat on the mock clock).
 */
public final class Instance {
    final Map<String, Object> fields = new LinkedHashMap<>();

    public static Instance of(String ip, int port) {
        Instance in = new Instance();
        in.fields.put("ip", ip);
        in.fields.put("port", (long) port);
        return in;
    }

    static Instance fromAdmin(Map<String, Object> m) {
        Instance in = new Instance();
        in.fields.putAll(m);
        return in;
    }

    public Instance cluster(String v) { fields.put("cluster", v); return this; }
    public Instance weight(double v) { fields.put("weight", v); return this; }
    public Instance healthy(boolean v) { fields.put("healthy", v); return this; }
    public Instance enabled(boolean v) { fields.put("enabled", v); return this; }
    public Instance ephemeral(boolean v) { fields.put("ephemeral", v); return this; }

    public Instance metadata(String k, String v) {
        @SuppressWarnings("unchecked")
        Map<String, Object> md = (Map<String, Object>) fields.get("metadata");
        if (md == null) {
            md = new LinkedHashMap<>();
            fields.put("metadata", md);
        }
        md.put(k, v);
        return this;
    }

    public String ip() { return Json.str(fields, "ip"); }
    public int port() { return (int) Json.num(fields, "port"); }
    public String cluster() { return Json.str(fields, "cluster"); }
    public boolean healthy() { return !Boolean.FALSE.equals(fields.get("healthy")); }
    public boolean enabled() { return !Boolean.FALSE.equals(fields.get("enabled")); }
    public boolean ephemeral() { return !Boolean.FALSE.equals(fields.get("ephemeral")); }
    /** "http" (lives by beats) or "grpc" (lives with its connection). */
    public String protocol() { return Json.str(fields, "protocol"); }
    /** Time since the last beat on the mock clock, as Go prints it ("16s"). */
    public String sinceLastBeat() { return Json.str(fields, "sinceLastBeat"); }

    public double weight() {
        Object v = fields.get("weight");
        return v instanceof Number ? ((Number) v).doubleValue() : 1;
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> metadata() {
        Map<String, String> out = new LinkedHashMap<>();
        Object md = fields.get("metadata");
        if (md instanceof Map) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) md).entrySet()) {
                out.put(e.getKey(), String.valueOf(e.getValue()));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "Instance" + Json.write(fields);
    }
}
