package io.github.mocknacos;

import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;

/**
 * A journal filter, as Go's {@code mocknacos.Query}: empty fields match
 * anything. {@code Query.kind(Event.BEAT).service("orders")}.
 */
public final class Query {
    String kind = "", service = "", protocol = "", namespace = "", ip = "";
    int port;
    long since;

    public static Query all() { return new Query(); }
    public static Query kind(String kind) { return new Query().withKind(kind); }

    public Query withKind(String v) { kind = v; return this; }
    public Query service(String v) { service = v; return this; }
    public Query protocol(String v) { protocol = v; return this; }
    public Query namespace(String v) { namespace = v; return this; }
    public Query ip(String v) { ip = v; return this; }
    public Query port(int v) { port = v; return this; }
    /** Only events after this sequence number. */
    public Query since(long seq) { since = seq; return this; }

    String toQueryString() {
        StringBuilder b = new StringBuilder();
        add(b, "kind", kind);
        add(b, "service", service);
        add(b, "protocol", protocol);
        add(b, "namespace", namespace);
        add(b, "ip", ip);
        add(b, "port", port == 0 ? "" : Integer.toString(port));
        add(b, "since", since == 0 ? "" : Long.toString(since));
        return b.toString();
    }

    private static void add(StringBuilder b, String k, String v) {
        if (v.isEmpty()) {
            return;
        }
        b.append(b.length() == 0 ? '?' : '&').append(k).append('=');
        try {
            b.append(URLEncoder.encode(v, "UTF-8"));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Query" + toQueryString();
    }
}
