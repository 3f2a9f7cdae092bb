package io.github.mocknacos;

/** A failure to start, drive or wait for the mock. */
public class MockNacosException extends RuntimeException {
    public MockNacosException(String message) {
        super(message);
    }

    public MockNacosException(String message, Throwable cause) {
        super(message, cause);
    }
}
