package io.github.mocknacos.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a mock Nacos for the test class (or for each test method), injects
 * it as a {@link io.github.mocknacos.MockNacos} parameter and stops it after.
 * <pre>
 * &#64;MockNacosTest
 * class OrdersTest {
 *     &#64;Test
 *     void registers(MockNacos nacos) { ... nacos.serverAddr() ... }
 * }
 * </pre>
 * The same as {@code @RegisterExtension static MockNacosExtension nacos = MockNacosExtension.builder()...build()}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(MockNacosExtension.class)
public @interface MockNacosTest {
    /** One server for the class (the default), or a fresh one per test method. */
    Lifecycle lifecycle() default Lifecycle.PER_CLASS;

    /** "2.4" or "1.4". */
    String serverVersion() default "2.4";

    /** Freeze the mock clock (only advance moves it). */
    boolean frozenClock() default false;

    /** Turn authentication on with this user and {@link #password()}. */
    String username() default "";

    String password() default "";

    /** Sent as {@code Authorization: Bearer} on admin calls (and given to the binary). */
    String adminToken() default "";

    /**
     * Also set the Spring Cloud Alibaba properties as JVM system properties
     * while the server runs (see {@code MockNacosSpring.setSystemProperties}):
     * needed when Nacos config is read before the test's
     * {@code @DynamicPropertySource} applies (spring.config.import=nacos:...,
     * bootstrap.properties).
     */
    boolean springSystemProperties() default false;

    /** When the server starts and stops. */
    enum Lifecycle {
        PER_CLASS, PER_METHOD
    }
}
