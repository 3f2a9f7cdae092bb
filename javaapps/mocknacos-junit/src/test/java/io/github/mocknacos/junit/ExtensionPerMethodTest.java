package io.github.mocknacos.junit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.mocknacos.Instance;
import io.github.mocknacos.MockNacos;

/** An instance-field extension: a fresh server per test, stopped after it. */
class ExtensionPerMethodTest {
    static final List<MockNacos> seen = new ArrayList<>();

    @RegisterExtension
    MockNacosExtension nacos = MockNacosExtension.perMethod();

    @RepeatedTest(2)
    void freshServer(MockNacos injected) {
        assertSame(nacos.server(), injected);
        assertTrue(injected.instances("orders").isEmpty(), "nothing from the previous test");
        injected.register("orders", Instance.of("127.0.0.1", 1));
        seen.add(injected);
    }

    @AfterAll
    static void eachStopped() {
        assertNotEquals(seen.get(0).serverAddr() + seen.get(0).pid(), seen.get(1).serverAddr() + seen.get(1).pid());
        for (MockNacos m : seen) {
            assertFalse(m.isRunning());
        }
    }
}
