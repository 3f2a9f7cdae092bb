package io.github.mocknacos.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.mocknacos.MockNacos;

/** A static @RegisterExtension: one server for the class, its nested classes included. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExtensionPerClassTest {
    @RegisterExtension
    static MockNacosExtension nacos = MockNacosExtension.builder().frozenClock().build();

    static MockNacos first;

    @Test
    @Order(1)
    void injected(MockNacos injected) {
        first = injected;
        assertSame(nacos.server(), injected);
        assertTrue(injected.isRunning());
        assertEquals(injected.serverAddr(), nacos.serverAddr());
    }

    @Test
    @Order(2)
    void sameServerForTheNextMethod(MockNacos injected) {
        assertSame(first, injected);
    }

    @Nested
    class Inner {
        @Test
        void sameServerInANestedClass(MockNacos injected) {
            assertSame(nacos.server(), injected);
            assertTrue(injected.isRunning());
        }
    }

    @AfterAll
    static void stillRunningAfterTheNestedClass() {
        assertTrue(first.isRunning());
    }
}
