package io.github.mocknacos.junit;

import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import io.github.mocknacos.MockNacos;
import io.github.mocknacos.MockNacosException;
import io.github.mocknacos.junit.MockNacosTest.Lifecycle;
import io.github.mocknacos.spring.SpringProperties;

/**
 * The JUnit 5 extension: starts a {@link MockNacos} before the tests and
 * stops it after, and resolves {@code MockNacos} parameters.
 * <pre>
 * &#64;RegisterExtension
 * static MockNacosExtension nacos = MockNacosExtension.perClass();   // one server for the class
 * &#64;RegisterExtension
 * MockNacosExtension nacos = MockNacosExtension.perMethod();          // an instance field: one per test
 * </pre>
 * Options go through {@link #builder()}; {@code @MockNacosTest} is the
 * annotation form.
 */
public final class MockNacosExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver, Supplier<MockNacos> {

    private MockNacos.Builder options;
    private Lifecycle lifecycle;
    private boolean systemProperties;
    private volatile MockNacos server;
    private String startedBy; // the unique id of the class context that started a per-class server
    private Runnable restoreSystemProperties;

    /** Used by {@code @MockNacosTest} (the options come from the annotation). */
    public MockNacosExtension() {
    }

    private MockNacosExtension(MockNacos.Builder options, Lifecycle lifecycle, boolean systemProperties) {
        this.options = options;
        this.lifecycle = lifecycle;
        this.systemProperties = systemProperties;
    }

    /** One server for the test class (register it in a static field). */
    public static MockNacosExtension perClass() {
        return builder().build();
    }

    /** A fresh server for each test method. */
    public static MockNacosExtension perMethod() {
        return builder().perMethod().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of the server and of the extension. */
    public static final class Builder {
        private final MockNacos.Builder options = MockNacos.builder();
        private Lifecycle lifecycle = Lifecycle.PER_CLASS;
        private boolean systemProperties;

        public Builder perMethod() { lifecycle = Lifecycle.PER_METHOD; return this; }
        public Builder serverVersion(String v) { options.serverVersion(v); return this; }
        public Builder frozenClock() { options.frozenClock(); return this; }
        public Builder auth(String user, String password) { options.auth(user, password); return this; }
        public Builder adminToken(String token) { options.adminToken(token); return this; }
        /** Any other option of the server. */
        public Builder configure(java.util.function.Consumer<MockNacos.Builder> c) { c.accept(options); return this; }
        /** Also set the Spring properties as system properties while the server runs. */
        public Builder springSystemProperties() { systemProperties = true; return this; }

        public MockNacosExtension build() {
            return new MockNacosExtension(options, lifecycle, systemProperties);
        }
    }

    /** The running server (between start and stop). */
    @Override
    public MockNacos get() {
        MockNacos s = server;
        if (s == null) {
            throw new MockNacosException("the mock Nacos is not running (outside the extension's lifecycle)");
        }
        return s;
    }

    /** The running server. */
    public MockNacos server() {
        return get();
    }

    /** "127.0.0.1:P" of the running server. */
    public String serverAddr() {
        return get().serverAddr();
    }

    private void configureFrom(ExtensionContext context) {
        if (options != null) {
            return;
        }
        MockNacosTest a = context.getRequiredTestClass().getAnnotation(MockNacosTest.class);
        options = MockNacos.builder();
        lifecycle = Lifecycle.PER_CLASS;
        if (a != null) {
            lifecycle = a.lifecycle();
            options.serverVersion(a.serverVersion());
            // -Dmocknacos.serverVersion runs a whole suite against another
            // server generation (a build profile of 3.x clients picks 3.0).
            String v = System.getProperty("mocknacos.serverVersion", "");
            if (!v.isEmpty()) {
                options.serverVersion(v);
            }
            if (a.frozenClock()) {
                options.frozenClock();
            }
            if (!a.username().isEmpty()) {
                options.auth(a.username(), a.password());
            }
            if (!a.adminToken().isEmpty()) {
                options.adminToken(a.adminToken());
            }
            systemProperties = a.springSystemProperties();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        configureFrom(context);
        if (lifecycle == Lifecycle.PER_CLASS && server == null) {
            startServer();
            startedBy = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(startedBy)) {
            startedBy = null;
            stopServer();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        configureFrom(context);
        // An instance field is not seen by beforeAll: it starts per test.
        if (server == null) {
            startServer();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (startedBy == null) {
            stopServer();
        }
    }

    private void startServer() {
        server = options.start();
        if (systemProperties) {
            restoreSystemProperties = SpringProperties.setSystemProperties(server);
        }
    }

    private void stopServer() {
        MockNacos s = server;
        server = null;
        if (s == null) {
            return;
        }
        if (restoreSystemProperties != null) {
            restoreSystemProperties.run();
            restoreSystemProperties = null;
        }
        s.close();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        return p.getParameter().getType() == MockNacos.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        configureFrom(e);
        if (server == null) {
            // A constructor or @BeforeAll parameter before beforeAll ran
            // (an instance-field extension): start now.
            startServer();
        }
        return server;
    }
}
