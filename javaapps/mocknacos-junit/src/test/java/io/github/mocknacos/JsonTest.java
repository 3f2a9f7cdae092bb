package io.github.mocknacos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void roundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u0001é");
        m.put("n", 12L);
        m.put("d", 1.5);
        m.put("b", true);
        m.put("z", null);
        m.put("l", Arrays.asList(1L, "x"));
        String text = Json.write(m);
        assertEquals(m, Json.parse(text));
        assertEquals("{\"u\":\"\u00e9\"}", Json.write(Json.parse("{\"u\":\"\\u00e9\"}")));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,]"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("1 2"));
    }
}
